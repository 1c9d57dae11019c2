package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/**
 * Waits for an invocation's result: answered at once when it is completed (and still retained), when it
 * completes otherwise, or with "not found" when there is no such invocation.
 */
public record Attach(InvocationId invocationId, ReplyTo replyTo) implements Command {}
