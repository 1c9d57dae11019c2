package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.FireTimer;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Asks for one task's due timers to fire. The wall clock only decides when to ask: each due timer becomes a
 * {@link FireTimer} record on the task's partition of the log, and the timer fires when the processor reads that
 * record back, at its log time (see {@link StateMachine}). A crashed processor's successor therefore fires every timer
 * at the same place among the commands as its predecessor did, and a timer fires only after every command appended
 * before it was asked for.
 *
 * <p>A lease is asked about only once this processor has known the attempt for a whole lease: since it dispatched
 * the attempt, or since the task started here. So neither an attempt dispatched from behind a backlog (its lease
 * counted from an old command's log time) nor one inherited from a crashed processor (whose dispatcher's renewals
 * are still to be read) lapses before its dispatcher could renew it. Nor is one that waits in the dispatch topic for
 * a dispatcher with room (see {@link CommandLogAccess#dispatchTakenAt}): its lease counts from when one takes it.
 *
 * <p>Everything here lives in memory and is rebuilt from the timers store after a restart: a record lost on the way
 * is asked for again (see {@link #ASK_AGAIN}), a record that arrives twice fires nothing the second time.
 */
final class TimerRequests {
    /**
     * A timer asked for and still set this long after is asked for again if its record was lost, or came back before
     * the timer was due (the broker's clock behind this machine's); then twice as long after each time, up to
     * {@link #ASK_AGAIN_AT_MOST}. Not while its record waits in the log to be read: behind a backlog, asking again
     * every few seconds filled the log with timer records and made the backlog longer (issue 13).
     */
    static final Duration ASK_AGAIN = Duration.ofSeconds(1);
    static final Duration ASK_AGAIN_AT_MOST = Duration.ofSeconds(30);
    /** Timers asked for and not yet fired, at most; more wait in the store for room. */
    static final int MAX_OUTSTANDING = 100_000;
    /** How often a lease whose attempt waits for a dispatcher is looked at again. */
    static final Duration DISPATCH_RECHECK = Duration.ofMillis(500);

    private final ProcessorState state;
    private final Predicate<Timer> stillMatters;
    private final CommandLogAccess log;
    private final int partition;
    private final long leaseMillis;
    private final long activeSince;
    /** The offset of the next record of this task's log partition the processor will read. */
    private final LongSupplier logPosition;
    /** Due timers: when to ask (again) for each. */
    private final Map<Timer, Outstanding> outstanding = new LinkedHashMap<>();
    /** When this processor dispatched each recent attempt, oldest first. */
    private final LinkedHashMap<Attempt, Long> dispatchedAt = new LinkedHashMap<>();

    private record Attempt(InvocationId invocationId, int attempt) {}

    private static final class Outstanding {
        final Timer timer;
        long askAt;
        int asked;
        /** Where its latest record landed in the log; null before it was asked for. */
        CompletableFuture<Long> appended;

        Outstanding(Timer timer, long askAt) {
            this.timer = timer;
            this.askAt = askAt;
        }
    }

    /**
     * @param stillMatters whether firing a timer could still do anything (see {@link StateMachine#timerMatters})
     */
    TimerRequests(ProcessorState state, Predicate<Timer> stillMatters, CommandLogAccess log, int partition,
            Duration lease, long activeSince, LongSupplier logPosition) {
        this.logPosition = logPosition;
        this.state = state;
        this.stillMatters = stillMatters;
        this.log = log;
        this.partition = partition;
        this.leaseMillis = lease.toMillis();
        this.activeSince = activeSince;
    }

    /** This processor sent the attempt to the dispatchers now (wall clock). */
    void dispatched(InvocationId invocationId, int attempt, long now) {
        Attempt attemptKey = new Attempt(invocationId, attempt);
        dispatchedAt.remove(attemptKey); // to the end: the map stays oldest first
        dispatchedAt.put(attemptKey, now);
    }

    /** Asks for the timers due by {@code now} (wall clock) that may be asked for; returns how many were asked for. */
    int tick(long now) {
        for (Iterator<Long> at = dispatchedAt.values().iterator(); at.hasNext(); ) {
            if (now - at.next() < leaseMillis) {
                break; // oldest first: the rest are younger still
            }
            at.remove();
        }
        int room = MAX_OUTSTANDING - outstanding.size();
        if (room > 0) {
            for (Timer timer : state.dueTimers(now, Math.min(room, StateMachine.TIMERS_PER_TICK))) {
                outstanding.putIfAbsent(timer, new Outstanding(timer, firstAsk(timer, now)));
            }
        }
        int asked = 0;
        for (Iterator<Outstanding> due = outstanding.values().iterator(); due.hasNext(); ) {
            Outstanding next = due.next();
            if (next.askAt > now) {
                continue;
            }
            if (waitsToBeRead(next)) {
                // First, and without reading the stores: behind a backlog tens of thousands of timers wait so, and
                // two store reads each a second held the stream thread from the backlog itself.
                next.askAt = now + ASK_AGAIN.toMillis();
                continue;
            }
            if (!state.hasTimer(next.timer)) {
                due.remove(); // fired (or replaced) since it was asked for
                continue;
            }
            Timer timer = next.timer;
            if (!stillMatters.test(timer)) {
                // The lease of a call that completed, say: nothing to fire, so no record for it.
                state.removeTimer(timer);
                due.remove();
                continue;
            }
            if (timer.kind() == Timer.Kind.LEASE) {
                // Its grace counts from the dispatch (found due before it: held while the task redid commands, say)
                // or from when a dispatcher took the attempt, whichever came later; it has none while none has.
                long graceEnd = firstAsk(timer, now);
                if (graceEnd > now) {
                    next.askAt = graceEnd;
                    continue;
                }
            }
            next.appended = log.appendTimer(partition, new FireTimer(timer.invocationId(), timer.kind().name(),
                    timer.attempt(), timer.due()));
            next.askAt = now + Math.min(ASK_AGAIN_AT_MOST.toMillis(), ASK_AGAIN.toMillis() << Math.min(next.asked, 5));
            next.asked++;
            asked++;
        }
        return asked;
    }

    /** Whether the timer's latest record is on its way to the log or in it, not read yet. */
    private boolean waitsToBeRead(Outstanding timer) {
        if (timer.appended == null) {
            return false;
        }
        if (!timer.appended.isDone()) {
            return true; // the producer still has it: it lands, or fails within its delivery timeout
        }
        if (timer.appended.isCompletedExceptionally()) {
            return false;
        }
        long offset = timer.appended.join();
        return offset >= 0 && logPosition.getAsLong() <= offset;
    }

    /** Timers waiting for their record, or for their lease's grace. */
    int outstanding() {
        return outstanding.size();
    }

    private long firstAsk(Timer timer, long now) {
        if (timer.kind() != Timer.Kind.LEASE) {
            return now;
        }
        long takenAt = log.dispatchTakenAt(timer.invocationId(), timer.attempt());
        if (takenAt == CommandLogAccess.DISPATCH_WAITING) {
            return now + DISPATCH_RECHECK.toMillis(); // no dispatcher holds it: no lease to lapse yet
        }
        long known = Math.max(Math.max(activeSince, takenAt),
                dispatchedAt.getOrDefault(new Attempt(timer.invocationId(), timer.attempt()), Long.MIN_VALUE));
        return Math.max(now, known + leaseMillis);
    }
}
