package dev.ferry.client;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A poll loop's pause after a fetch that only confirmed records this process had taken in memory already: the
 * dispatcher's (attempts its processor handed over) and the reply listener's (replies). Cut short as soon as a record
 * is left to the poll loop.
 *
 * <p>The pause spares the broker a fetch (and the dispatcher's offset commit) per record while the hand-over serves
 * the loop. It starts short and doubles with each fetch that only confirmed, up to the longest (the same as the
 * shortest for a loop whose records may come another way at any time), so a single process under sequential calls
 * fetches a few times a second instead of every other call; a fetch that brings a record from elsewhere starts it
 * short again. So a record from another process waits at most the longest pause more, and only after a run of
 * fetches that brought none.
 *
 * <p>The hand-over declines a record while it cannot take it (the dispatcher's poll loop is busy with a fetch, say),
 * and then only the poll loop's next fetch delivers it: before this pause was cut short, that held about one
 * sequential call in 200 for 20–45 ms (docs/performance.md, eleventh session). A record left to the poll loop now
 * wakes it.
 */
public final class FetchPause {
    /** The first pause: short enough not to matter to a record that comes another way, long enough to confirm a few. */
    public static final Duration SHORTEST = Duration.ofMillis(20);
    /** The longest: what a record from another process may wait more, after a run of fetches that brought none. */
    public static final Duration LONGEST = Duration.ofMillis(160);

    private final long shortestNanos;
    private final long longestNanos;
    /** The next pause's length; the poll loop's own. */
    private long nanos;
    /** A record was left to the poll loop since its latest fetch began: fetch again without a pause. */
    private volatile boolean leftToPollLoop;
    /** The poll loop's thread while it pauses, for the wake-up; null otherwise. */
    private volatile Thread pausing;

    public FetchPause(Duration shortest, Duration longest) {
        this.shortestNanos = shortest.toNanos();
        this.longestNanos = Math.max(shortestNanos, longest.toNanos());
        this.nanos = shortestNanos;
    }

    /** The poll loop is about to fetch: what was left to it so far, that fetch brings. */
    public void fetching() {
        leftToPollLoop = false;
    }

    /** The hand-over declined a record: the poll loop must fetch it, now rather than after a pause. */
    public void leftToPollLoop() {
        leftToPollLoop = true;
        Thread thread = pausing;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** The latest fetch brought a record this process had not taken in memory: the next pause is short again. */
    public void fetchedOthers() {
        nanos = shortestNanos;
    }

    /**
     * After a fetch that only confirmed: pauses the calling (poll loop's) thread for the pause's length, or less: not
     * at all if a record was left to the poll loop since {@link #fetching()}, and no longer than until one is. The
     * next pause is twice as long, up to the longest, unless this one was cut short.
     */
    public void pause() {
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
        nanos = leftToPollLoop ? shortestNanos : Math.min(2 * nanos, longestNanos);
    }

    /** The next pause's length. */
    Duration next() {
        return Duration.ofNanos(nanos);
    }
}
