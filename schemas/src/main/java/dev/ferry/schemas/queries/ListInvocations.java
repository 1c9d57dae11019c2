package dev.ferry.schemas.queries;

import dev.ferry.schemas.replies.InvocationCursor;
import java.util.List;

/**
 * Asks for one page of invocations matching a filter, newest first. Every processor answers for each partition of
 * the command log it hosts, one reply per partition, to the request id of that partition.
 *
 * @param status, service, handler, key filters; null matches anything
 * @param after where the previous page ended (exclusive); null for the first page
 * @param limit matches wanted per partition (a page, plus one to tell whether more follow)
 * @param ingressId the asker: the key of the replies
 * @param requestIds one per partition of the command log, in partition order
 */
public record ListInvocations(
        String status,
        String service,
        String handler,
        String key,
        InvocationCursor after,
        int limit,
        String ingressId,
        List<String> requestIds)
        implements InvocationQuery {
    /** A page holds at most this many invocations (a processor looks for one more, to tell whether more follow). */
    public static final int MAX_PAGE = 200;
}
