package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/** Forgets a completed invocation before its retention ends, freeing its idempotency key or workflow id. */
public record Purge(InvocationId invocationId, ReplyTo replyTo) implements Command {}
