package dev.ferry.schemas.commands;


/** Forgets a completed invocation before its retention ends, freeing its idempotency key or workflow id. */
public record Purge(String invocationId, ReplyTo replyTo) implements Command {}
