package dev.ferry.schemas.queries;

import dev.ferry.schemas.commands.ReplyTo;

/** Asks for one invocation's view; only the processor hosting its partition answers. */
public record DescribeInvocation(String invocationId, ReplyTo replyTo) implements InvocationQuery {}
