package dev.ferry.schemas.commands;

/**
 * Where the answer for a waiting HTTP request goes: the ingress instance that holds the connection (the key of
 * its records on the replies topic) and the request's id within that instance.
 */
public record ReplyTo(String ingressId, String requestId) {}
