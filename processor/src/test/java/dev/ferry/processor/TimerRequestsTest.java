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
    private final AtomicLong storeChecks = new AtomicLong();
    private final TimerRequests requests = new TimerRequests(state, timer -> {
        storeChecks.incrementAndGet();
        return true;
    }, log, 0, Duration.ofSeconds(10), 0, logPosition::get);

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

    @Test
    void aLeaseWhoseAttemptWaitsForADispatcherIsNotLookedUpInTheStores() {
        // Behind a backlog of sends most due timers are such leases: reading the stores for each, every time it was
        // looked at again, held the stream thread from the backlog itself.
        Timer lease = new Timer(1_000, Timer.Kind.LEASE, ID, 1);
        state.addTimer(lease);
        log.takenAt = CommandLogAccess.DISPATCH_WAITING;
        for (long now = 1_000; now <= 60_000; now += 20) {
            assertThat(requests.tick(now)).as("asked at %d ms", now).isZero();
        }
        assertThat(storeChecks).as("looked up while its attempt waited").hasValue(0);

        log.takenAt = 60_000; // a dispatcher takes it: a whole lease from then
        for (long now = 60_020; now < 70_000; now += 20) {
            assertThat(requests.tick(now)).as("asked at %d ms", now).isZero();
        }
        assertThat(requests.tick(70_000)).isEqualTo(1);
        assertThat(log.asked).singleElement().satisfies(fire -> assertThat(fire.kind()).isEqualTo("LEASE"));
        assertThat(storeChecks).hasValue(1);
    }

    @Test
    void leasesDueBehindABacklogWaitForTheLatestRecordInsteadOfAskingForOneEach() {
        // A hundred attempts taken 20 ms apart, their completions appended but not read: the processor is further
        // behind than a lease. Their leases come due one after the other.
        for (int attempt = 1; attempt <= 100; attempt++) {
            state.addTimer(new Timer(1_000, Timer.Kind.LEASE, ID, attempt));
        }
        log.takenAt = -1; // by attempt, below
        log.landAtOnce = true;
        for (long now = 1_000; now <= 13_000; now += 20) {
            requests.tick(now);
        }
        assertThat(log.asked).as("one record a second of leases, not one each").hasSizeBetween(2, 3);

        // The processor reads up to the end: every completion but one is read, and their leases go with them.
        int lapsed = java.util.stream.IntStream.rangeClosed(1, 100)
                .filter(attempt -> log.asked.stream().noneMatch(fire -> fire.attempt() == attempt))
                .findFirst().orElseThrow();
        for (int attempt = 1; attempt <= 100; attempt++) {
            if (attempt != lapsed) {
                state.removeTimer(new Timer(1_000, Timer.Kind.LEASE, ID, attempt));
            }
        }
        int before = log.asked.size();
        logPosition.set(before + 1); // past every record so far
        for (long now = 13_020; now <= 15_000; now += 20) {
            requests.tick(now);
        }
        assertThat(log.asked.subList(before, log.asked.size())).as("only the lease that lapsed")
                .singleElement().satisfies(fire -> assertThat(fire.attempt()).isEqualTo(lapsed));
    }

    /** The log as the timers see it: each record's landing is up to the test. */
    private static final class AppendedTimers implements CommandLogAccess {
        final List<FireTimer> asked = new ArrayList<>();
        private CompletableFuture<Long> latest;
        /** When a dispatcher took every attempt; -1: attempt n at n * 20 ms. */
        long takenAt = DISPATCH_TAKEN_UNKNOWN;
        /** Whether each record lands as it is asked for, at the next offset. */
        boolean landAtOnce;

        @Override
        public long dispatchTakenAt(InvocationId invocationId, int attempt) {
            return takenAt == -1 ? attempt * 20L : takenAt;
        }

        @Override
        public CompletableFuture<Long> appendTimer(int partition, FireTimer fire) {
            asked.add(fire);
            latest = landAtOnce ? CompletableFuture.completedFuture((long) asked.size()) : new CompletableFuture<>();
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
            return NONE.ends(partition); // no task redoes here
        }

        @Override
        public boolean committedPast(Map<TopicPartition, Long> offsets) {
            return NONE.committedPast(offsets);
        }
    }
}
