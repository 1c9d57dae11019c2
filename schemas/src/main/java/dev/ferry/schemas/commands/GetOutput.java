package dev.ferry.schemas.commands;


/** Asks for an invocation's result without waiting: the result, "not ready" or "not found". */
public record GetOutput(String invocationId, ReplyTo replyTo) implements Command {}
