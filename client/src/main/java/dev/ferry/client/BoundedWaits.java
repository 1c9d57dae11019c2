package dev.ferry.client;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a future for a bounded time without a timed park.
 *
 * <p>The ingress waits for each call's answer, and the dispatcher for each service's, on virtual threads. On JDK 25
 * a virtual thread's timed park ({@code CompletableFuture.get} with a timeout) goes through its carrier pool's delay
 * scheduler, whose thread is woken twice per wait: to add the timeout, and to cancel it when the answer comes first,
 * as it nearly always does. At 32 connections on two cores that thread and its wake-ups came to 3 % of the server's
 * CPU (docs/performance.md, sixteenth session). Here the wait parks without a timeout, and each timeout waits in the
 * queue of one timer thread, which is woken only when a new timeout is due before every other one queued.
 */
public final class BoundedWaits {
    /** Completes the bounded copy of a future whose time is up; never thrown to a caller. */
    private static final TimeoutException TIMED_OUT = new TimeoutException("timed out") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };
    /** The timer thread's tick (see {@link #timer()}). */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private BoundedWaits() {
    }

    /**
     * The future's value, as {@link CompletableFuture#get()} gives it; null if the future did not complete within
     * {@code nanos}. The future itself is left as it is.
     */
    public static <T> T await(CompletableFuture<T> future, long nanos)
            throws InterruptedException, ExecutionException {
        if (future.isDone()) {
            return future.get();
        }
        if (nanos <= 0) {
            return null;
        }
        CompletableFuture<T> bounded = future.copy();
        ScheduledFuture<?> timeout = after(nanos, () -> bounded.completeExceptionally(TIMED_OUT));
        try {
            return bounded.get();
        } catch (ExecutionException e) {
            if (e.getCause() == TIMED_OUT) {
                return null;
            }
            if (e.getCause() instanceof CancellationException cancelled) {
                throw cancelled; // as the future's own get() would
            }
            throw e;
        } finally {
            timeout.cancel(false);
        }
    }

    /**
     * Runs {@code action} on the timer thread once {@code nanos} have passed, unless the returned future is cancelled
     * first: a deadline for a wait that cannot take a timeout of its own. The action must be short.
     */
    public static ScheduledFuture<?> after(long nanos, Runnable action) {
        return TIMER.schedule(action, nanos, TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "ferry-wait-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        // Nearly every timeout is cancelled: removed at once, the queue holds only the waits still open.
        timer.setRemoveOnCancelPolicy(true);
        // A timeout due before every other queued one wakes the timer thread to wait for it instead: under
        // sequential calls, that was every call's (one wait open at a time, at the head of an otherwise empty
        // queue). A tick that is never more than TICK away keeps the head, so a timeout (seconds, always longer)
        // queues behind it without a wake-up; the thread wakes five times a second instead of once a call.
        timer.scheduleAtFixedRate(() -> { }, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
        return timer;
    }
}
