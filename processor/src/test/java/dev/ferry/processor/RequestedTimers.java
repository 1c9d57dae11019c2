package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.FireTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * The command log as a topology test sees it: timers asked for are kept for the test to pipe back into the log
 * (as the broker would hand them to the processor). A task redoes (holds its dispatches back) while the test says
 * the processor has not committed past what the log held when it started, and the dispatchers have not taken an
 * attempt while the test says they have not.
 */
final class RequestedTimers implements CommandLogAccess {
    private final List<FireTimer> requested = new ArrayList<>();
    private volatile boolean committed = true;
    private volatile long dispatchTakenAt = DISPATCH_TAKEN_UNKNOWN;

    /** Whether the processor has committed past the end of the log as it was when its tasks started. */
    void committed(boolean committed) {
        this.committed = committed;
    }

    /** When a dispatcher took every dispatched attempt ({@link #DISPATCH_WAITING}: none has yet). */
    void dispatchTakenAt(long takenAt) {
        this.dispatchTakenAt = takenAt;
    }

    @Override
    public long dispatchTakenAt(InvocationId invocationId, int attempt) {
        return dispatchTakenAt;
    }

    @Override
    public synchronized CompletableFuture<Long> appendTimer(int partition, FireTimer fire) {
        requested.add(fire);
        return CompletableFuture.completedFuture(-1L); // where it lands is the test's to say (it pipes it back)
    }

    /** The timers asked for since the last call, in order. */
    synchronized List<FireTimer> take() {
        List<FireTimer> taken = List.copyOf(requested);
        requested.clear();
        return taken;
    }

    @Override
    public Map<TopicPartition, Long> ends(int partition) {
        return Map.of(new TopicPartition("ferry.log", partition), 1L);
    }

    @Override
    public boolean committedPast(Map<TopicPartition, Long> offsets) {
        return committed;
    }
}
