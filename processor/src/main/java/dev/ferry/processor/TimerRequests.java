package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.FireTimer;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;
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
    /**
     * A lease whose grace ended at most this long before this task's latest timer record was appended waits for that
     * record to be read (see {@link #behindLatestRecord}): one record a second at most stands for all of them.
     */
    static final Duration LEASE_MARK_SLACK = Duration.ofSeconds(1);

    private final ProcessorState state;
    private final Predicate<Timer> stillMatters;
    private final CommandLogAccess log;
    private final int partition;
    private final long leaseMillis;
    private final long activeSince;
    /** The offset of the next record of this task's log partition the processor will read. */
    private final LongSupplier logPosition;
    /** Due timers: when to ask (again) for each. */
    private final Map<Timer, Outstanding> outstanding = new HashMap<>();
    /**
     * The same, soonest ask first: a tick looks only at what is due. Behind a backlog tens of thousands of timers
     * wait (leases of attempts no dispatcher has taken yet), and going through all of them at every tick of every
     * task took a fifth of the stream thread (issue 13).
     */
    private final PriorityQueue<Outstanding> byAskAt =
            new PriorityQueue<>(Comparator.comparingLong((Outstanding timer) -> timer.askAt));
    /** When this processor dispatched each recent attempt, oldest first. */
    private final LinkedHashMap<Attempt, Long> dispatchedAt = new LinkedHashMap<>();

    /** This task's latest timer record, and when it was asked for (wall clock); null before the first. */
    private CompletableFuture<Long> latestRecord;
    private long latestRecordAt;

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
                if (!outstanding.containsKey(timer)) {
                    Outstanding added = new Outstanding(timer, firstAsk(timer, now));
                    outstanding.put(timer, added);
                    byAskAt.add(added);
                }
            }
        }
        int asked = 0;
        while (!byAskAt.isEmpty() && byAskAt.peek().askAt <= now) {
            Outstanding next = byAskAt.poll();
            // Every way on leaves it asked for later than now (or gone), so the loop ends.
            if (askOrPostpone(next, now)) {
                asked++;
            }
            if (outstanding.containsKey(next.timer)) {
                byAskAt.add(next);
            }
        }
        return asked;
    }

    /**
     * Asks for a due timer's record, or sets when to look at it again, or forgets it: returns whether it asked. The
     * checks that need no store come first: behind a backlog most timers here are the leases of attempts waiting for
     * a dispatcher, or timers whose records wait to be read, and reading two stores for each of them every time they
     * were looked at held the stream thread from the backlog itself (issue 13).
     */
    private boolean askOrPostpone(Outstanding next, long now) {
        if (waitsToBeRead(next)) {
            next.askAt = now + ASK_AGAIN.toMillis();
            return false;
        }
        Timer timer = next.timer;
        if (timer.kind() == Timer.Kind.LEASE) {
            // Its grace counts from the dispatch (found due before it: held while the task redid commands, say)
            // or from when a dispatcher took the attempt, whichever came later; it has none while none has.
            long graceEnd = graceEnd(timer);
            if (graceEnd > now) {
                next.askAt = graceEnd == CommandLogAccess.DISPATCH_WAITING ? now + DISPATCH_RECHECK.toMillis()
                        : graceEnd;
                return false;
            }
            if (behindLatestRecord(graceEnd)) {
                next.askAt = now + ASK_AGAIN.toMillis();
                return false;
            }
        }
        if (!state.hasTimer(timer)) {
            outstanding.remove(timer); // fired (or replaced) since it was asked for
            return false;
        }
        if (!stillMatters.test(timer)) {
            // The lease of a call that completed, say: nothing to fire, so no record for it.
            state.removeTimer(timer);
            outstanding.remove(timer);
            return false;
        }
        next.appended = log.appendTimer(partition, new FireTimer(timer.invocationId(), timer.kind().name(),
                timer.attempt(), timer.due()));
        latestRecord = next.appended;
        latestRecordAt = now;
        next.askAt = now + Math.min(ASK_AGAIN_AT_MOST.toMillis(), ASK_AGAIN.toMillis() << Math.min(next.asked, 5));
        next.asked++;
        return true;
    }

    /** Whether the timer's latest record is on its way to the log or in it, not read yet. */
    private boolean waitsToBeRead(Outstanding timer) {
        return waitsToBeRead(timer.appended);
    }

    private boolean waitsToBeRead(CompletableFuture<Long> appended) {
        if (appended == null) {
            return false;
        }
        if (!appended.isDone()) {
            return true; // the producer still has it: it lands, or fails within its delivery timeout
        }
        if (appended.isCompletedExceptionally()) {
            return false;
        }
        long offset = appended.join();
        return offset >= 0 && logPosition.getAsLong() <= offset;
    }

    /**
     * Whether a lease whose grace has ended waits for this task's latest timer record, asked for after (or just
     * before) the grace ended and not read yet. Behind a backlog longer than a lease every lease comes due before its
     * attempt's completion is read, though the dispatcher appended that completion long before: a record each would
     * have cost the log four records for every ten calls (issue 13). Once the latest record is read, so is whatever
     * was appended before it, and most such leases are gone with their attempts. One that is not still gets a record
     * of its own, so when a lease lapses is decided as before, by where its own record lands.
     */
    private boolean behindLatestRecord(long graceEnd) {
        return latestRecordAt >= graceEnd - LEASE_MARK_SLACK.toMillis() && waitsToBeRead(latestRecord);
    }

    /** Timers waiting for their record, or for their lease's grace. */
    int outstanding() {
        return outstanding.size();
    }

    private long firstAsk(Timer timer, long now) {
        if (timer.kind() != Timer.Kind.LEASE) {
            return now;
        }
        long graceEnd = graceEnd(timer);
        if (graceEnd == CommandLogAccess.DISPATCH_WAITING) {
            return now + DISPATCH_RECHECK.toMillis(); // no dispatcher holds it: no lease to lapse yet
        }
        return Math.max(now, graceEnd);
    }

    /**
     * When a lease's grace ends (wall clock): a whole lease after the later of this processor dispatching the attempt
     * and a dispatcher taking it; {@link CommandLogAccess#DISPATCH_WAITING} while none has taken it.
     */
    private long graceEnd(Timer lease) {
        long takenAt = log.dispatchTakenAt(lease.invocationId(), lease.attempt());
        if (takenAt == CommandLogAccess.DISPATCH_WAITING) {
            return takenAt;
        }
        long known = Math.max(Math.max(activeSince, takenAt),
                dispatchedAt.getOrDefault(new Attempt(lease.invocationId(), lease.attempt()), Long.MIN_VALUE));
        return known + leaseMillis;
    }
}
