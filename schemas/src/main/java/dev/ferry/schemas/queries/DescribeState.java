package dev.ferry.schemas.queries;

import dev.ferry.schemas.commands.ReplyTo;

/**
 * Asks for the state of one virtual object or workflow key (a workflow's key is its id): only the processor hosting
 * the key's partition answers, with every entry (an empty list when the key has none). Read-only.
 *
 * @param service the virtual object or workflow
 * @param key the object key or workflow id; its partition is that of every invocation for it
 */
public record DescribeState(String service, String key, ReplyTo replyTo) implements InvocationQuery {}
