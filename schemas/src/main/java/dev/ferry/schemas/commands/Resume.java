package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/**
 * Runs the next attempt of a paused (or backing-off) invocation now, with a fresh retry budget.
 */
public record Resume(InvocationId invocationId, ReplyTo replyTo) implements Command {}
