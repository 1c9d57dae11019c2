package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.queries.DescribeInvocation;
import dev.ferry.schemas.queries.DescribeState;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.queries.ListInvocations;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A describe that finds nothing answers "not found" only when the partition's task had committed the command topics'
 * ends before the store was read: a commit between the read and the check must not vouch for what the read missed
 * (ManagementIT once got 404 for a send it had just been told was accepted).
 */
class QueryResponderLookupTest {
    private static final TopicPartition LOG = new TopicPartition("ferry.log", 3);
    private static final TopicPartition REQUESTS = new TopicPartition("ferry.requests", 3);
    private final Map<TopicPartition, Long> ends = Map.of(LOG, 10L, REQUESTS, 7L);
    private final Map<TopicPartition, Long> committed = new HashMap<>(Map.of(LOG, 10L, REQUESTS, 6L));

    @Test
    void aQueryWrittenByHandWithoutWhereToAnswerIsSkippedWithTheReason() throws Exception {
        // AbuseIT writes this one; it used to reach the answering loop and fail there with a NullPointerException.
        assertThat(QueryResponder.missing(Json.read("{\"type\":\"ListInvocations\",\"limit\":-5}"
                .getBytes(StandardCharsets.UTF_8), InvocationQuery.class))).isEqualTo("an ingress id");
        assertThat(QueryResponder.missing(new ListInvocations(null, null, null, null, null, 5, "ingress-1",
                Arrays.asList("r0", null)))).isEqualTo("a request id per partition");
        assertThat(QueryResponder.missing(new DescribeInvocation(InvocationIds.forSubmission(
                Target.service("Greeter", "greet"), "k"), null))).isEqualTo("a reply address");
        assertThat(QueryResponder.missing(new DescribeState("Counter", null, new ReplyTo("ingress-1", "r"))))
                .isEqualTo("a service and a key");
        assertThat(QueryResponder.missing(new ListInvocations(null, null, null, null, null, 5, "ingress-1",
                List.of("r0", "r1")))).isNull();
    }

    @Test
    void aCommitRightAfterTheReadDoesNotMakeTheMissAnAnswer() {
        QueryResponder.Lookup<String> lookup = QueryResponder.lookUp(List.of(LOG, REQUESTS), committed::get, () -> {
            // The task applies the Invoke and commits just after the store was read without it.
            committed.put(REQUESTS, 7L);
            return null;
        }, () -> ends);

        assertThat(lookup.found()).isNull();
        assertThat(lookup.caughtUp()).isFalse();
    }

    @Test
    void aMissAfterTheTaskCommittedTheEndsIsAnAnswer() {
        committed.put(REQUESTS, 7L);

        QueryResponder.Lookup<String> lookup =
                QueryResponder.lookUp(List.of(LOG, REQUESTS), committed::get, () -> null, () -> ends);

        assertThat(lookup.caughtUp()).isTrue();
    }

    @Test
    void whatTheReadFoundIsTheAnswerWhateverWasCommitted() {
        QueryResponder.Lookup<String> lookup = QueryResponder.lookUp(List.of(LOG, REQUESTS), committed::get,
                () -> "found", () -> {
                    throw new AssertionError("the ends are asked for only when the read found nothing");
                });

        assertThat(lookup.found()).isEqualTo("found");
    }

    @Test
    void aTaskAssignedAMomentAgoDoesNotSayNotFoundBeforeItCouldHaveCaughtUp() {
        long until = 10_000;
        long halfWay = until - 2_500;
        // ManagementIT once: the processor's first rebalance ended 2.7 s into the asker's 5 s wait, and the task,
        // assigned that moment, answered "not found" for the send it was about to read.
        assertThat(QueryResponder.mayAnswerNotFound(until, halfWay + 100, halfWay + 200)).isFalse();
        assertThat(QueryResponder.mayAnswerNotFound(until, null, halfWay + 200)).isFalse();
        assertThat(QueryResponder.mayAnswerNotFound(until, halfWay - 5_000, halfWay - 1)).isFalse();
        assertThat(QueryResponder.mayAnswerNotFound(until, halfWay - 5_000, halfWay)).isTrue();
        assertThat(QueryResponder.mayAnswerNotFound(until, halfWay + 100,
                halfWay + 100 + QueryResponder.SETTLING.toMillis())).isTrue();
    }
}
