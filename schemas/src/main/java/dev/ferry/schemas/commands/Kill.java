package dev.ferry.schemas.commands;


/** Ends an invocation at once with 409 "killed", wherever it is; a running call is aborted and its answer ignored. */
public record Kill(String invocationId, ReplyTo replyTo) implements Command {}
