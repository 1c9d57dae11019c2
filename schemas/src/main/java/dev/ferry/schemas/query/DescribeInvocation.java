package dev.ferry.schemas.query;

import dev.ferry.schemas.ReplyTo;

/** Asks for one invocation's view; only the processor hosting its partition answers. */
public record DescribeInvocation(String invocationId, ReplyTo replyTo) implements InvocationQuery {}
