package dev.ferry.ingress;

/**
 * What an ingress request turned out to be, noted in the request's context by the route that handled it, for the
 * request metrics: {@code call}, {@code send}, {@code attach}, {@code output}, and the service and handler when known.
 */
record IngressOperation(String operation, String service, String handler) {}
