package dev.ferry.dispatcher;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The poll loop's pause after a fetch that only confirmed attempts taken in memory already ({@link Dispatcher#offer}),
 * cut short as soon as an attempt is left to the poll loop.
 *
 * <p>The pause spares the broker a fetch and an offset commit per attempt while the hand-over serves the dispatcher.
 * But the hand-over declines an attempt while the poll loop is busy with a fetch (its records are not all taken yet),
 * and then only the poll loop's next fetch starts it: after the whole pause, and after a second one if that fetch
 * brought nothing else new. Under sequential calls that held about one call in 200 for 20–45 ms, a large share of
 * the p99 (docs/performance.md, eleventh session). An attempt left to the poll loop now wakes it.
 */
final class FetchPause {
    private final long nanos;
    /** An attempt was left to the poll loop since its latest fetch began: fetch again without a pause. */
    private volatile boolean leftToPollLoop;
    /** The poll loop's thread while it pauses, for the wake-up; null otherwise. */
    private volatile Thread pausing;

    FetchPause(Duration pause) {
        this.nanos = pause.toNanos();
    }

    /** The poll loop is about to fetch: what was left to it so far, that fetch brings. */
    void fetching() {
        leftToPollLoop = false;
    }

    /** The hand-over declined an attempt: the poll loop must fetch it, now rather than after a pause. */
    void leftToPollLoop() {
        leftToPollLoop = true;
        Thread thread = pausing;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Pauses the calling (poll loop's) thread for the pause's length, or less: not at all if an attempt was left to
     * the poll loop since {@link #fetching()}, and no longer than until one is.
     */
    void pause() {
        // Set the thread before reading the flag, as leftToPollLoop sets the flag before reading the thread: one of
        // the two sees the other's write (both volatile), so no wake-up is lost.
        pausing = Thread.currentThread();
        try {
            long deadline = System.nanoTime() + nanos;
            for (long left = nanos; left > 0 && !leftToPollLoop
                    && !Thread.currentThread().isInterrupted(); left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(this, left);
            }
        } finally {
            pausing = null;
        }
    }
}
