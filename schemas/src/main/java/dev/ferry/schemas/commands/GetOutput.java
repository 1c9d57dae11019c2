package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/** Asks for an invocation's result without waiting: the result, "not ready" or "not found". */
public record GetOutput(InvocationId invocationId, ReplyTo replyTo) implements Command {}
