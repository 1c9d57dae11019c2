package dev.ferry.schemas.commands;


/**
 * Runs the next attempt of a paused (or backing-off) invocation now, with a fresh retry budget.
 */
public record Resume(String invocationId, ReplyTo replyTo) implements Command {}
