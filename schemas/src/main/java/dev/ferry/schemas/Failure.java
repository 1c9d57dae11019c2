package dev.ferry.schemas;

/** A failure as Restate reports it: an HTTP-style status code and a message. */
public record Failure(int code, String message) {}
