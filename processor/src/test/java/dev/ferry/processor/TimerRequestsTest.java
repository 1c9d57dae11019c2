package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.FireTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * When a due timer's record is asked for again (issue 13): only when it was lost, or read before the timer was due by
 * the log's clock; never while it waits in the log behind a backlog, which asking again would only make longer.
 */
class TimerRequestsTest {
    private static final InvocationId ID = InvocationIds.forSubmission(Target.service("Greeter", "greet"), "timer");
    private static final Timer DUE_AT_1S = new Timer(1_000, Timer.Kind.START, ID, 0);

    private final InMemoryState state = new InMemoryState();
    private final AppendedTimers log = new AppendedTimers();
    private final AtomicLong logPosition = new AtomicLong();
    private final TimerRequests requests = new TimerRequests(state, timer -> true, log, 0, Duration.ofSeconds(10),
            0, logPosition::get);

    @Test
    void aTimerWhoseRecordWaitsInTheLogIsNotAskedForAgainUntilItHasBeenRead() {
        state.addTimer(DUE_AT_1S);
        assertThat(requests.tick(1_000)).isEqualTo(1);
        log.landAt(500); // behind a backlog: the processor reads offset 0 of it now

        for (long now = 2_000; now <= 120_000; now += 1_000) {
            assertThat(requests.tick(now)).as("asked again at %d ms", now).isZero();
        }
        // Read, and still set (the broker's clock was behind): asked for again.
        logPosition.set(501);
        assertThat(requests.tick(121_000)).isEqualTo(1);
        assertThat(log.asked).hasSize(2);
    }

    @Test
    void aTimerWhoseRecordWasLostIsAskedForAgain() {
        state.addTimer(DUE_AT_1S);
        assertThat(requests.tick(1_000)).isEqualTo(1);
        log.lose();
        assertThat(requests.tick(1_500)).as("not before a second").isZero();
        assertThat(requests.tick(2_000)).isEqualTo(1);
    }

    @Test
    void aTimerWhoseRecordIsStillWithTheProducerIsNotAskedForAgain() {
        state.addTimer(DUE_AT_1S);
        assertThat(requests.tick(1_000)).isEqualTo(1);
        assertThat(requests.tick(5_000)).isZero();
        assertThat(requests.tick(60_000)).isZero();
    }

    /** The log as the timers see it: each record's landing is up to the test. */
    private static final class AppendedTimers implements CommandLogAccess {
        final List<FireTimer> asked = new ArrayList<>();
        private CompletableFuture<Long> latest;

        @Override
        public CompletableFuture<Long> appendTimer(int partition, FireTimer fire) {
            asked.add(fire);
            latest = new CompletableFuture<>();
            return latest;
        }

        void landAt(long offset) {
            latest.complete(offset);
        }

        void lose() {
            latest.completeExceptionally(new IllegalStateException("the broker is gone"));
        }

        @Override
        public Map<TopicPartition, Long> ends(int partition) {
            return Map.of();
        }

        @Override
        public boolean committedPast(Map<TopicPartition, Long> offsets) {
            return true;
        }
    }
}
