package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationView;
import dev.ferry.schemas.replies.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merging the partitions' answers into one page. */
class InvocationQueriesTest {
    @Test
    void takesTheNewestAcrossPartitionsAndContinuesAfterTheLastOneShown() {
        Reply p0 = Reply.page("r0", List.of(view("a", 50), view("b", 30), view("c", 10)),
                new InvocationCursor(10, id("c").toString()));
        Reply p1 = Reply.page("r1", List.of(view("d", 40), view("e", 20)), null);

        ProcessorClient.Listing page = InvocationQueries.merge(List.of(p0, p1), 2, false);
        assertThat(ids(page)).containsExactly(id("a"), id("d"));
        assertThat(page.next()).isEqualTo(new InvocationCursor(40, id("d").toString()));
        assertThat(page.partial()).isFalse();
    }

    @Test
    void aPartitionThatStoppedEarlyLimitsThePageToWhatEveryPartitionExamined() {
        // Partition 0 examined its index down to t=35 and found nothing; partition 1 reached its end.
        Reply p0 = Reply.page("r0", List.of(), new InvocationCursor(35, id("x").toString()));
        Reply p1 = Reply.page("r1", List.of(view("d", 40), view("e", 20)), null);

        ProcessorClient.Listing page = InvocationQueries.merge(List.of(p0, p1), 10, false);
        assertThat(ids(page)).as("e (t=20) may have newer matches in partition 0 below t=35").containsExactly(id("d"));
        assertThat(page.next()).as("the next page starts where partition 0 stopped")
                .isEqualTo(new InvocationCursor(35, id("x").toString()));
    }

    @Test
    void nothingFollowsWhenEveryPartitionReachedItsEnd() {
        Reply p0 = Reply.page("r0", List.of(view("a", 50)), null);
        Reply p1 = Reply.page("r1", List.of(view("a", 50), view("b", 5)), null); // "a" twice: a rebalance

        ProcessorClient.Listing page = InvocationQueries.merge(List.of(p0, p1), 2, true);
        assertThat(ids(page)).containsExactly(id("a"), id("b"));
        assertThat(page.next()).isNull();
        assertThat(page.partial()).isTrue();
    }

    @Test
    void invocationsOfTheSameMillisecondGoByIdAsTheIndexOrdersThem() {
        Reply p0 = Reply.page("r0", List.of(view("b", 7), view("c", 7)), null);
        Reply p1 = Reply.page("r1", List.of(view("a", 7)), null);
        assertThat(ids(InvocationQueries.merge(List.of(p0, p1), 5, false))).containsExactly(id("a"), id("b"), id("c"));
    }

    /**
     * A valid id per letter whose text sorts as the letters do (the unique part is the letter's place in the
     * alphabet, one base62 digit below 36, where base62 digits sort as ASCII).
     */
    private static InvocationId id(String letter) {
        return new InvocationId(0, 0, letter.charAt(0) - 'a' + 1);
    }

    private static List<InvocationId> ids(ProcessorClient.Listing listing) {
        return listing.invocations().stream().map(InvocationView::id).toList();
    }

    private static InvocationView view(String id, long createdAt) {
        return new InvocationView(id(id), "Greeter/greet", "Greeter", "greet", null, null, "running", 1, null, null,
                InvocationView.time(createdAt), null, null, null, null, null, null, createdAt);
    }
}
