package dev.ferry.schemas.queries;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.ReplyTo;

/** Asks for one invocation's view; only the processor hosting its partition answers. */
public record DescribeInvocation(InvocationId invocationId, ReplyTo replyTo) implements InvocationQuery {}
