package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.FireTimer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * What the processor needs of its own command topics beyond the records Kafka Streams hands it: a way to append its
 * timers' {@link FireTimer} records at once, outside its transaction, a way to tell whether a task is still
 * reading again commands that a predecessor may have processed (and acted on) before it crashed, and whether the
 * dispatchers have taken an attempt yet.
 */
public interface CommandLogAccess {
    /**
     * Appends the record to partition {@code partition} of the log now, not with the task's next commit: the
     * processor reads it back (read_committed) as soon as the broker has it. Asynchronous; a lost record is asked
     * again (see {@link TimerRequests}).
     *
     * @return the record's offset once the broker has it (failed if it was not appended; -1 when not known)
     */
    CompletableFuture<Long> appendTimer(int partition, FireTimer fire);

    /** The end offsets of partition {@code partition} of both command topics now; null when they cannot be read. */
    Map<TopicPartition, Long> ends(int partition);

    /** Whether the processor's committed positions have reached {@code offsets}; false when they cannot be read. */
    boolean committedPast(Map<TopicPartition, Long> offsets);

    /**
     * The same without waiting, for the stream thread while a task redoes: answered from the latest read of the
     * committed positions, and false (a newer read started) while that read does not show them reached. Committed
     * positions only move forward, so a read that shows them reached stays true.
     */
    default boolean committedPastSoFar(Map<TopicPartition, Long> offsets) {
        return committedPast(offsets);
    }

    /** {@link #dispatchTakenAt}: the attempt's dispatch record waits in the dispatch topic, taken by no dispatcher. */
    long DISPATCH_WAITING = Long.MAX_VALUE;
    /** {@link #dispatchTakenAt}: not known (its lease counts from the dispatch). */
    long DISPATCH_TAKEN_UNKNOWN = Long.MIN_VALUE;

    /**
     * When a dispatcher took the attempt, as far as this process has seen (wall clock, epoch milliseconds; see
     * {@link DispatchProgress}), {@link #DISPATCH_WAITING} while none has, {@link #DISPATCH_TAKEN_UNKNOWN} when that
     * is not known.
     */
    default long dispatchTakenAt(InvocationId invocationId, int attempt) {
        return DISPATCH_TAKEN_UNKNOWN;
    }

    /** No log: timers are never asked for and no task ever redoes anything (tests that drive timers themselves). */
    CommandLogAccess NONE = new CommandLogAccess() {
        @Override
        public CompletableFuture<Long> appendTimer(int partition, FireTimer fire) {
            return CompletableFuture.completedFuture(-1L);
        }

        @Override
        public Map<TopicPartition, Long> ends(int partition) {
            return Map.of();
        }

        @Override
        public boolean committedPast(Map<TopicPartition, Long> offsets) {
            return true;
        }
    };
}
