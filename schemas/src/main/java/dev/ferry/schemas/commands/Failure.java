package dev.ferry.schemas.commands;

/** A failure as Restate reports it: an HTTP-style status code and a message. */
public record Failure(int code, String message) {}
