package dev.ferry.schemas.queries;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;

/**
 * A record on the queries topic ({@code ferry.queries}): a read of invocation or object state that the admin API sends
 * every processor at once, instead of appending it to the command log. Each processor answers from the partitions
 * it hosts, on the replies topic; nothing here changes state.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ListInvocations.class, name = "ListInvocations"),
    @JsonSubTypes.Type(value = DescribeInvocation.class, name = "DescribeInvocation"),
    @JsonSubTypes.Type(value = DescribeState.class, name = "DescribeState"),
})
public sealed interface InvocationQuery permits ListInvocations, DescribeInvocation, DescribeState {
    /**
     * How long the asker waits for answers, and so how long a processor keeps trying to answer a query while a
     * partition it hosts is not queryable yet (starting, restoring, rebalancing).
     */
    Duration ANSWER_WITHIN = Duration.ofSeconds(5);
}
