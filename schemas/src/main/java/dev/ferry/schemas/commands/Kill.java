package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/** Ends an invocation at once with 409 "killed", wherever it is; a running call is aborted and its answer ignored. */
public record Kill(InvocationId invocationId, ReplyTo replyTo) implements Command {}
