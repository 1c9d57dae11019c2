package dev.ferry.schemas.command;

import dev.ferry.schemas.ReplyTo;

/** Asks for an invocation's status and history; answered with an {@code InvocationView}. */
public record Describe(String invocationId, ReplyTo replyTo) implements Command {}
