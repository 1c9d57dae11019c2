package dev.ferry.schemas.command;

import dev.ferry.schemas.ReplyTo;

/**
 * Asks one partition for the invocations it holds that match a filter, newest first. Sent to every partition of the
 * log (the {@code partition} field says which) and the answers merged by the asker.
 *
 * @param status, service, handler, key filters; null matches anything
 * @param createdBefore keyset paging: only invocations created before this (epoch ms), or at it with a smaller id
 * @param idBefore see {@code createdBefore}; null with it
 */
public record ListInvocations(
        int partition,
        String status,
        String service,
        String handler,
        String key,
        Long createdBefore,
        String idBefore,
        int limit,
        ReplyTo replyTo)
        implements Command {
    /** Not about one invocation: routed by {@link #partition} instead. */
    @Override
    public String invocationId() {
        return null;
    }
}
