package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.AttachFromHandler;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Detach;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.FireTimer;
import dev.ferry.schemas.commands.GetOutput;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.commands.Kill;
import dev.ferry.schemas.commands.Notify;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Purge;
import dev.ferry.schemas.commands.RenewLease;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.commands.Resume;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import dev.ferry.schemas.results.FailedInvocation;
import dev.ferry.schemas.results.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The processor's decisions, one partition at a time: a command (or a due timer) in, state changes and effects
 * out. Nothing here touches Kafka or the network, and time is an argument, so the same log replayed against the
 * same state decides the same way.
 */
public final class StateMachine {
    static final String WORKFLOW_ALREADY_INVOKED = "the workflow method was already invoked";
    static final Failure KILLED = new Failure(409, "killed");
    static final Failure CANCELLED = new Failure(409, "Cancelled");
    /**
     * A timer's record may come back this much before the timer is due by its log time, and fire it: the processor
     * asks when its own clock says the timer is due, and the broker's clock, which stamps the record, may be a little
     * behind. Decided from the record's time alone, so the same on every read of the log.
     */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(1);
    /** Timers fired per tick at most, so one tick never holds the stream thread for long. */
    static final int TIMERS_PER_TICK = 1_000;

    private final ProcessorState state;
    private final Effects effects;
    private final Policies policies;
    private final Duration lease;
    private final String resultsTopic;
    private final int maxInboxLength;
    private final Journals journals;

    /** @param resultsTopic where completed invocations are published when their service asks for it */
    public StateMachine(ProcessorState state, Effects effects, Policies policies, Duration lease, String resultsTopic) {
        this(state, effects, policies, lease, resultsTopic, ProcessorSettings.DEFAULT_MAX_INBOX_LENGTH);
    }

    /**
     * @param resultsTopic where completed invocations are published when their service asks for it
     * @param maxInboxLength invocations that may wait for one key; a submission past it is refused (429)
     */
    public StateMachine(ProcessorState state, Effects effects, Policies policies, Duration lease, String resultsTopic,
            int maxInboxLength) {
        this.state = state;
        this.effects = effects;
        this.policies = policies;
        this.lease = lease;
        this.resultsTopic = resultsTopic;
        this.maxInboxLength = maxInboxLength;
        this.journals = new Journals(state, effects, policies, this);
    }

    public void apply(Command command, long now) {
        switch (command) {
            case Invoke invoke -> onInvoke(invoke, now);
            case Completion completion -> onCompletion(completion, now);
            case AttemptFailed failed -> onAttemptFailed(failed, now);
            case RenewLease renewal -> onRenewLease(renewal, now);
            case FireTimer fire -> onFireTimer(fire, now);
            case Attach attach -> onAttach(attach);
            case GetOutput output -> onGetOutput(output);
            case Cancel cancel -> onCancel(cancel, now);
            case Kill kill -> onKill(kill, now);
            case Purge purge -> onPurge(purge);
            case Resume resume -> onResume(resume, now);
            case Detach detach -> onDetach(detach);
            case JournalAppend append -> journals.onJournalAppend(append, now);
            case Notify notify -> journals.onNotify(notify, now);
            case AttachFromHandler attach -> journals.onAttachFromHandler(attach);
        }
    }

    /**
     * Fires every timer due at {@code now} at once, as if the {@link FireTimer} record of each had just been read
     * (tests of decisions that follow timers); returns how many fired. A timer whose work throws is already removed,
     * and its invocation ends with a failure: the timer never fires again, so the same exception cannot stop the
     * stream thread over and over.
     */
    public int fireDueTimers(long now) {
        List<Timer> due = state.dueTimers(now, TIMERS_PER_TICK);
        for (Timer timer : due) {
            fire(timer, now);
        }
        return due.size();
    }

    /**
     * Fires a due timer. Its work may throw: the timer is removed first, so it never fires again, and its invocation
     * ends with the failure.
     */
    private void fire(Timer timer, long now) {
        state.removeTimer(timer);
        try {
            InvocationState invocation = state.invocation(timer.invocationId());
            if (invocation != null) {
                onTimer(timer, invocation, now);
            }
        } catch (RuntimeException e) {
            String reason = "a " + timer.kind() + " timer of " + timer.invocationId() + " failed: " + e;
            effects.timerFailed(timer, reason);
            fail(timer.invocationId(), new Failure(500, "Ferry could not process " + reason), null, now);
        }
    }

    /**
     * A timer's {@link FireTimer} record, read back from the log: the timer fires now, at the record's log time, if
     * it is still set and due then.
     */
    private void onFireTimer(FireTimer fire, long now) {
        Timer.Kind kind;
        try {
            kind = Timer.Kind.valueOf(fire.kind());
        } catch (IllegalArgumentException e) {
            effects.reject("not a timer kind: " + fire.kind());
            return;
        }
        Timer timer = new Timer(fire.due(), kind, fire.invocationId(), fire.attempt());
        if (timer.due() > now + CLOCK_SKEW.toMillis() || !state.hasTimer(timer)) {
            return; // not due yet by log time, fired already, or never set
        }
        fire(timer, now);
    }

    /**
     * Whether the attempt has not started yet: its invocation is unknown, or has not reached that attempt. An outcome
     * for such an attempt can only be read before the command that started the attempt when a processor reads its
     * two command topics again after a crash (it orders them by time, its predecessor by arrival).
     */
    public boolean notStartedYet(InvocationId invocationId, int attempt) {
        InvocationState invocation = state.invocation(invocationId);
        return invocation == null || invocation.attempt() < attempt;
    }

    /**
     * Whether firing the timer could still do anything. A timer whose moment has passed for good (the lease of an
     * attempt that ended, the retry of an attempt that was not retried, the start of an invocation that started, the
     * expiry of an invocation that is gone) never will: attempts only move forward. Such a timer can be dropped
     * without asking the log for it, and whenever it is dropped, every reading of the log decides the same.
     */
    public boolean timerMatters(Timer timer) {
        InvocationState invocation = state.invocation(timer.invocationId());
        if (invocation == null) {
            return false;
        }
        return switch (timer.kind()) {
            case START -> invocation.status() == InvocationStatus.SCHEDULED;
            case RETRY -> invocation.status() == InvocationStatus.BACKING_OFF
                    && invocation.attempt() == timer.attempt();
            case LEASE -> invocation.runs(timer.attempt());
            case EXPIRE -> invocation.completed();
            case SLEEP -> !invocation.completed();
        };
    }

    /** Whether the invocation runs exactly this attempt now. */
    public boolean runsAttempt(InvocationId invocationId, int attempt) {
        InvocationState invocation = state.invocation(invocationId);
        return invocation != null && invocation.runs(attempt);
    }

    /**
     * The dispatch of an attempt that was held back while the processor read again commands that its predecessor
     * may have acted on already (see {@code CommandProcessor}): sent now if the attempt still runs, or nothing if a
     * command read later ended it (its completion, say).
     */
    public boolean redispatch(InvocationId invocationId, int attempt, long now) {
        InvocationState invocation = state.invocation(invocationId);
        if (invocation == null || !invocation.runs(attempt) || invocation.status() != InvocationStatus.RUNNING) {
            return false;
        }
        effects.dispatch(dispatchOf(invocation, attempt, now));
        return true;
    }

    /**
     * The last resort when ending an invocation failed: its waiters as stored still learn the failure, though the
     * invocation stays as it was. Returns whether {@code caller} was among them.
     */
    private boolean answerWaiters(InvocationId invocationId, Failure failure, ReplyTo caller) {
        try {
            InvocationState stored = invocationId == null ? null : state.invocation(invocationId);
            if (stored == null) {
                return false;
            }
            Outcome outcome = new Outcome(null, failure);
            for (String ingressId : stored.waitingIngresses()) {
                effects.reply(ingressId, Reply.invocationResult(invocationId, outcome));
            }
            for (ReplyTo waiter : stored.legacyWaiters()) {
                effects.reply(waiter.ingressId(), Reply.result(waiter.requestId(), invocationId, outcome, null));
            }
            return stored.isWaiting(caller);
        } catch (RuntimeException e) {
            effects.unprocessable(invocationId, "answering its waiters failed too: " + e);
            return false;
        }
    }

    /**
     * Ends an invocation with {@code failure} because something about it cannot be processed (a command or timer
     * that threw, an effect that cannot be written): its waiting callers and attached clients get the failure, and
     * {@code caller}, when given and not among them, gets it too. Whatever this throws in turn is caught: the
     * caller then only has the dead-letter record. Returns whether an invocation was ended.
     */
    public boolean fail(InvocationId invocationId, Failure failure, ReplyTo caller, long now) {
        boolean ended = false;
        boolean callerAnswered = caller == null;
        try {
            InvocationState invocation = invocationId == null ? null : state.invocation(invocationId);
            if (invocation != null && !invocation.completed()) {
                callerAnswered |= invocation.isWaiting(caller);
                if (invocation.status() == InvocationStatus.RUNNING) {
                    effects.abort(new AbortAttempt(invocation.invocationId(), invocation.attempt()));
                } else if (invocation.status() == InvocationStatus.INBOXED) {
                    leaveInbox(invocation);
                }
                complete(invocation, new Outcome(null, failure), now);
                ended = true;
            }
        } catch (RuntimeException e) {
            effects.unprocessable(invocationId, "ending it with [" + failure.code() + "] " + failure.message()
                    + " failed too: " + e);
            callerAnswered |= answerWaiters(invocationId, failure, caller);
        }
        if (!callerAnswered) {
            try {
                effects.reply(caller.ingressId(), Reply.rejected(caller.requestId(), invocationId, failure.code(),
                        failure.message()));
            } catch (RuntimeException e) {
                effects.unprocessable(invocationId, "answering its caller failed: " + e);
            }
        }
        return ended;
    }

    // ---- submission

    private void onInvoke(Invoke invoke, long now) {
        InvocationId id = invoke.invocationId();
        if (id == null) {
            // Submissions gives every Invoke its id before it is applied: only a bug gets here.
            effects.reject("an Invoke without an invocationId");
            return;
        }
        InvocationState existing = state.invocation(id);
        if (existing != null) {
            onRepeatedSubmission(existing, invoke);
            return;
        }
        boolean delayed = invoke.executeAt() != null && invoke.executeAt() > now;
        if (!delayed && inboxFull(invoke)) {
            return;
        }
        InvocationState invocation = InvocationState.created(id, invoke.target(), invoke.idempotencyKey(),
                requestHash(invoke), invoke.resultTopic(), invoke.replyTo(), now);
        StoredInput input = new StoredInput(invoke.contentType(), invoke.headers(), invoke.body());
        if (!invocation.keepInput(input)) {
            state.putInput(id, input);
        }
        if (invoke.caller() != null) {
            invocation.addCaller(invoke.caller());
        }
        if (invoke.send()) {
            answerSubmission(invoke, Reply.Kind.ACCEPTED, id);
        } else if (invoke.replyTo() != null) {
            invocation.addWaitingIngress(invoke.replyTo().ingressId());
        }
        if (delayed) {
            invocation.schedule(invoke.executeAt());
            state.addTimer(new Timer(invoke.executeAt(), Timer.Kind.START, id, 0));
        } else {
            start(invocation, now);
        }
        state.put(invocation);
    }

    /**
     * A submission whose id is already known: a repeat of an idempotent request, a workflow run submitted again,
     * or the same record delivered twice. It never runs the handler again.
     */
    private void onRepeatedSubmission(InvocationState existing, Invoke invoke) {
        if (invoke.caller() != null) {
            calledAgain(existing, invoke);
            return;
        }
        ReplyTo replyTo = invoke.replyTo();
        if (replyTo != null && existing.submittedBy(replyTo)) {
            return; // the submission itself, seen again: its request was answered, or waits, already
        }
        if (invoke.requireSameRequest() && invoke.idempotencyKey() != null
                && !requestHash(invoke).equals(existing.requestHash())) {
            if (replyTo != null) {
                effects.reply(replyTo.ingressId(), Reply.rejected(replyTo.requestId(), existing.invocationId(), 422,
                        "the idempotency key '" + invoke.idempotencyKey() + "' was already used for "
                                + existing.target() + " with a different request"));
            }
            return;
        }
        if (invoke.send()) {
            answerSubmission(invoke, Reply.Kind.PREVIOUSLY_ACCEPTED, existing.invocationId());
            return;
        }
        if (replyTo == null) {
            return;
        }
        if (existing.target().workflowRun()) {
            effects.reply(replyTo.ingressId(), Reply.result(replyTo.requestId(), existing.invocationId(),
                    Outcome.failure(409, WORKFLOW_ALREADY_INVOKED), null));
            return;
        }
        if (existing.completed()) {
            effects.reply(replyTo.ingressId(), Reply.result(replyTo.requestId(), existing.invocationId(),
                    existing.outcome(), existing.retainedUntil()));
            return;
        }
        if (existing.addWaitingIngress(replyTo.ingressId())) {
            state.put(existing);
        }
    }

    /**
     * A handler written with an SDK calls an invocation that exists already (an idempotent call, a workflow run):
     * the caller gets its result, now or when it ends. A second run of a workflow is refused, as from the ingress.
     */
    private void calledAgain(InvocationState existing, Invoke invoke) {
        if (existing.target().workflowRun() && !existing.callers().contains(invoke.caller())) {
            effects.submit(new Notify(invoke.caller().invocationId(), invoke.caller().completionId(), null, null,
                    null, new Failure(409, WORKFLOW_ALREADY_INVOKED)));
        } else if (existing.completed()) {
            effects.submit(Journals.notifyOf(invoke.caller(), existing.outcome()));
        } else if (existing.addCaller(invoke.caller())) {
            state.put(existing);
        }
    }

    /** The content type the invocation's handler declared for its output when the invocation started. */
    String pinnedOutputContentType(InvocationState invocation) {
        String declared = pinned(invocation).outputContentType();
        return declared != null ? declared : "application/json";
    }

    /**
     * Refuses a submission for an exclusive handler whose key already has {@code maxInboxLength} invocations
     * waiting: the caller gets 429, a record from a producer goes to the dead-letter topic with the reason.
     * Delayed submissions are counted when their time comes, not refused then: they were accepted already.
     */
    private boolean inboxFull(Invoke invoke) {
        Target target = invoke.target();
        if (!target.exclusive()) {
            return false;
        }
        Inbox inbox = state.inbox(Inbox.lockOf(target.service(), target.key()));
        if (inbox == null || inbox.running() == null || inbox.waiting() < maxInboxLength) {
            return false;
        }
        String reason = "the inbox of " + target.service() + "/" + target.key() + " is full: " + inbox.waiting()
                + " invocations already wait for the key (at most " + maxInboxLength + "); try again later";
        ReplyTo replyTo = invoke.replyTo();
        if (replyTo != null) {
            effects.reply(replyTo.ingressId(),
                    Reply.rejected(replyTo.requestId(), invoke.invocationId(), 429, reason));
        } else {
            effects.reject(reason);
        }
        return true;
    }

    private void answerSubmission(Invoke invoke, Reply.Kind kind, InvocationId invocationId) {
        ReplyTo replyTo = invoke.replyTo();
        if (replyTo != null) {
            effects.reply(replyTo.ingressId(), Reply.of(kind, replyTo.requestId(), invocationId));
        }
    }

    /** SHA-256 of the request's content type and body: equal for a true repeat, different for another request. */
    static String requestHash(Invoke invoke) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(String.valueOf(invoke.contentType()).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(invoke.body().bytes());
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    // ---- the object lock

    /**
     * Starts an invocation whose time has come. An exclusive handler (or a workflow run) first takes its key's
     * lock; while another invocation holds it, it waits in the key's inbox, in arrival order.
     */
    private void start(InvocationState invocation, long now) {
        if (invocation.target().exclusive()) {
            String lock = lockOf(invocation);
            Inbox inbox = inbox(lock);
            if (inbox != null && inbox.running() != null) {
                state.putInboxEntry(lock, inbox.next(), invocation.invocationId());
                invocation.inbox(inbox.next());
                state.putInbox(lock, inbox.enqueued());
                return;
            }
            state.putInbox(lock, inbox == null ? Inbox.heldBy(invocation.invocationId())
                    : inbox.runs(invocation.invocationId()));
        }
        startNextAttempt(invocation, now);
    }

    /** Hands the key of an exclusive invocation that ended to the next one in its inbox. */
    private void release(InvocationState invocation, long now) {
        if (!invocation.target().exclusive()) {
            return;
        }
        String lock = lockOf(invocation);
        Inbox inbox = inbox(lock);
        if (inbox == null || !invocation.invocationId().equals(inbox.running())) {
            return;
        }
        while (inbox.length() > 0 && inbox.first() < inbox.next()) {
            long sequence = inbox.first();
            InvocationId nextId = state.inboxEntry(lock, sequence);
            inbox = inbox.advanced(nextId != null);
            if (nextId == null) {
                continue; // a gap: taken out by a cancel or kill
            }
            state.deleteInboxEntry(lock, sequence);
            InvocationState next = state.invocation(nextId);
            if (next != null && next.status() == InvocationStatus.INBOXED) {
                state.putInbox(lock, inbox.runs(nextId));
                startNextAttempt(next, now);
                state.put(next);
                return;
            }
        }
        state.deleteInbox(lock);
    }

    /** Takes an invocation that waits for its key out of the key's inbox. */
    private void leaveInbox(InvocationState invocation) {
        String lock = lockOf(invocation);
        Inbox inbox = inbox(lock);
        if (inbox == null) {
            return;
        }
        Long sequence = invocation.inboxSequence();
        if (sequence == null) {
            // Queued before the invocation kept its place: look for it (once per such invocation).
            for (long at = inbox.first(); at < inbox.next() && sequence == null; at++) {
                if (invocation.invocationId().equals(state.inboxEntry(lock, at))) {
                    sequence = at;
                }
            }
        }
        if (sequence != null && invocation.invocationId().equals(state.inboxEntry(lock, sequence))) {
            state.deleteInboxEntry(lock, sequence);
            state.putInbox(lock, inbox.removed());
        }
    }

    /**
     * A key's inbox. One stored in the older form (every queued id in one list, rewritten on each change) has its
     * list moved to entries first, in order, so it is rewritten once more and never again.
     */
    private Inbox inbox(String lock) {
        Inbox inbox = state.inbox(lock);
        if (inbox == null || inbox.queued().isEmpty()) {
            return inbox;
        }
        long sequence = inbox.next();
        for (InvocationId queuedId : inbox.queued()) {
            state.putInboxEntry(lock, sequence++, queuedId);
        }
        Inbox migrated = inbox.withoutList();
        state.putInbox(lock, migrated);
        return migrated;
    }

    private static String lockOf(InvocationState invocation) {
        return Inbox.lockOf(invocation.target().service(), invocation.target().key());
    }

    // ---- attempts

    void startNextAttempt(InvocationState invocation, long now) {
        dropLeaseTimer(invocation);
        long leaseUntil = now + lease.toMillis();
        int attempt = invocation.startNextAttempt(now, leaseUntil);
        effects.dispatch(dispatchOf(invocation, attempt, now));
        state.addTimer(new Timer(leaseUntil, Timer.Kind.LEASE, invocation.invocationId(), attempt));
    }

    /**
     * The attempt is over (or about to be followed by the next): its lease timer goes now rather than come due for
     * nothing later. Mostly within the commit interval of its put, so the record cache writes one tombstone for
     * both, where the timer otherwise cost two changelog records and a read of the invocation when it came due.
     */
    void dropLeaseTimer(InvocationState invocation) {
        Long due = invocation.takeLeaseTimerDue();
        if (due != null) {
            state.removeTimer(new Timer(due, Timer.Kind.LEASE, invocation.invocationId(), invocation.attempt()));
        }
    }

    private Dispatch dispatchOf(InvocationState invocation, int attempt, long now) {
        Duration timeout = pinned(invocation).inactivityTimeout();
        Integer protocolVersion = pinned(invocation).protocolVersion();
        if (protocolVersion != null) {
            // A service written with a Restate SDK: its input is the journal's first entry, not a body.
            return new Dispatch(invocation.invocationId(), attempt, invocation.target(), invocation.idempotencyKey(),
                    null, List.of(), Payload.EMPTY, lease.toMillis(), timeout.isZero() ? null : timeout.toMillis(),
                    journals.replay(invocation, protocolVersion, now));
        }
        StoredInput input = state.input(invocation);
        return new Dispatch(
                invocation.invocationId(),
                attempt,
                invocation.target(),
                invocation.idempotencyKey(),
                input.contentType(),
                input.headers(),
                input.body(),
                lease.toMillis(),
                timeout.isZero() ? null : timeout.toMillis());
    }

    private void onCompletion(Completion completion, long now) {
        InvocationState invocation = state.invocation(completion.invocationId());
        if (invocation == null || !invocation.runs(completion.attempt())) {
            return; // an attempt that is no longer current: its outcome does not count
        }
        complete(invocation, completion.outcome(), now);
    }

    private void onAttemptFailed(AttemptFailed failed, long now) {
        InvocationState invocation = state.invocation(failed.invocationId());
        if (invocation == null || !invocation.runs(failed.attempt())) {
            return;
        }
        retryOrGiveUp(invocation, failed.failure(), failed.retryAfterMillis(), now);
    }

    private void onRenewLease(RenewLease renewal, long now) {
        InvocationState invocation = state.invocation(renewal.invocationId());
        if (invocation == null || !invocation.runs(renewal.attempt())) {
            return;
        }
        // The lease timer stays where it is; when it fires it sees the later expiry and re-arms itself.
        invocation.renewLease(now + lease.toMillis());
        state.put(invocation);
    }

    private void onTimer(Timer timer, InvocationState invocation, long now) {
        switch (timer.kind()) {
            case START -> {
                if (invocation.status() == InvocationStatus.SCHEDULED) {
                    start(invocation, now);
                    state.put(invocation);
                }
            }
            case RETRY -> {
                if (invocation.status() == InvocationStatus.BACKING_OFF && invocation.attempt() == timer.attempt()) {
                    startNextAttempt(invocation, now);
                    state.put(invocation);
                }
            }
            case LEASE -> {
                if (!invocation.runs(timer.attempt())) {
                    return;
                }
                if (invocation.leaseExpiresAt() > now) {
                    state.addTimer(new Timer(invocation.leaseExpiresAt(), Timer.Kind.LEASE,
                            invocation.invocationId(), invocation.attempt()));
                    invocation.leaseTimerAt(invocation.leaseExpiresAt());
                    state.put(invocation);
                } else {
                    // Tell the dispatchers too: a dispatcher that still runs it (or finds it later in the topic,
                    // taking over from one that died) stops it instead of running it beside the next attempt.
                    effects.abort(new AbortAttempt(invocation.invocationId(), invocation.attempt()));
                    retryOrGiveUp(invocation, new Failure(503,
                            "the dispatcher running attempt " + invocation.attempt() + " stopped renewing its lease"),
                            null, now);
                }
            }
            case EXPIRE -> {
                if (invocation.completed() && invocation.retainedUntil() <= now) {
                    forget(invocation);
                }
            }
            case SLEEP -> journals.onSleepTimer(invocation, timer.attempt(), now);
        }
    }

    /**
     * The policies the invocation runs under: pinned the first time they are needed (when its first attempt starts,
     * or when it ends without one), while a command or timer record is processed, so a redo pins the same.
     */
    private PinnedPolicies pinned(InvocationState invocation) {
        if (invocation.policies() == null) {
            invocation.pin(PinnedPolicies.of(policies, invocation.target(), invocation.idempotencyKey()));
        }
        return invocation.policies();
    }

    void retryOrGiveUp(InvocationState invocation, Failure failure, Long retryAfterMillis, long now) {
        if (invocation.cancelRequested()) {
            complete(invocation, new Outcome(null, CANCELLED), now);
            return;
        }
        RetryPolicy policy = pinned(invocation).retryPolicy();
        int failedAttempts = invocation.attemptsSinceResume();
        if (policy.exhaustedAfter(failedAttempts)) {
            if (policy.onMaxAttempts() == RetryPolicy.OnMaxAttempts.KILL) {
                complete(invocation, new Outcome(null, failure), now);
            } else {
                dropLeaseTimer(invocation);
                invocation.pause(failure); // it keeps its key's lock, as in Restate
                state.put(invocation);
            }
            return;
        }
        long delay = withJitter(policy.delayAfter(failedAttempts).toMillis(), invocation.invocationId(),
                invocation.attempt());
        if (retryAfterMillis != null) {
            delay = Math.max(delay, retryAfterMillis);
        }
        long retryAt = now + delay;
        dropLeaseTimer(invocation);
        invocation.backOff(failure, retryAt);
        state.addTimer(new Timer(retryAt, Timer.Kind.RETRY, invocation.invocationId(), invocation.attempt()));
        state.put(invocation);
    }

    /**
     * Adds up to 30% to a retry delay, as Restate does, so that invocations that failed together do not all
     * retry together. The jitter is derived from the invocation and attempt rather than drawn at random, so
     * replaying the log decides the same retry time.
     */
    static long withJitter(long delayMillis, InvocationId invocationId, int attempt) {
        long spread = delayMillis * 3 / 10;
        if (spread <= 0) {
            return delayMillis;
        }
        // The textual id's hash, as when ids were strings: a processor of this version decides the retry times of
        // invocations retried before it the same way.
        int hash = (invocationId.toString().hashCode() * 31 + attempt) & Integer.MAX_VALUE;
        return delayMillis + hash % (spread + 1);
    }

    void complete(InvocationState invocation, Outcome outcome, long now) {
        Duration retention = pinned(invocation).retention();
        long keptUntil = now + retention.toMillis();
        dropLeaseTimer(invocation);
        invocation.complete(outcome, now, keptUntil);
        effects.completed(invocation.target(), outcome);
        publish(invocation, outcome, now);
        if (!invocation.dropInput()) {
            state.deleteInput(invocation.invocationId());
        }
        for (String ingressId : invocation.takeWaitingIngresses()) {
            effects.reply(ingressId, Reply.invocationResult(invocation.invocationId(), outcome));
        }
        for (ReplyTo waiter : invocation.takeLegacyWaiters()) {
            effects.reply(waiter.ingressId(),
                    Reply.result(waiter.requestId(), invocation.invocationId(), outcome, null));
        }
        journals.onCompleted(invocation, outcome, pinned(invocation).journalRetentionMillis() > 0);
        release(invocation, now);
        if (retention.isZero() || retention.isNegative()) {
            forget(invocation);
            return;
        }
        state.addTimer(new Timer(keptUntil, Timer.Kind.EXPIRE, invocation.invocationId(), invocation.attempt()));
        state.put(invocation);
    }

    /** The way out to Kafka: the result for consumers that want it, the failure for those who watch failures. */
    private void publish(InvocationState invocation, Outcome outcome, long now) {
        Target target = invocation.target();
        boolean toResults = pinned(invocation).publishResults();
        if (toResults || invocation.resultTopic() != null) {
            InvocationResult result = new InvocationResult(invocation.invocationId(), target,
                    invocation.idempotencyKey(),
                    outcome.succeeded() ? InvocationResult.SUCCEEDED : InvocationResult.FAILED,
                    outcome.success(), outcome.failure(), invocation.attempt(), invocation.createdAt(), now);
            if (toResults) {
                effects.publish(resultsTopic, result);
            }
            if (invocation.resultTopic() != null && !invocation.resultTopic().equals(resultsTopic)) {
                effects.publish(invocation.resultTopic(), result);
            }
        }
        if (!outcome.succeeded() && pinned(invocation).deadLetterFailures()) {
            StoredInput input = state.input(invocation);
            effects.deadLetter(new FailedInvocation(invocation.invocationId(), target, invocation.idempotencyKey(),
                    outcome.failure(), input == null ? null : input.contentType(),
                    input == null ? List.of() : input.headers(), input == null ? null : input.body(),
                    invocation.attempt(), invocation.createdAt(), now));
        }
    }

    // ---- results

    /** A client attaches: the result now if there is one, when it comes otherwise. */
    private void onAttach(Attach attach) {
        ReplyTo replyTo = attach.replyTo();
        InvocationState invocation = state.invocation(attach.invocationId());
        if (invocation == null) {
            effects.reply(replyTo.ingressId(), Reply.of(Reply.Kind.NOT_FOUND, replyTo.requestId(), attach.invocationId()));
        } else if (invocation.completed()) {
            effects.reply(replyTo.ingressId(), Reply.result(replyTo.requestId(), invocation.invocationId(),
                    invocation.outcome(), invocation.retainedUntil()));
        } else if (invocation.addWaitingIngress(replyTo.ingressId())) {
            state.put(invocation);
        }
    }

    /** An ingress instance has no request waiting any more: it need not be sent the result. */
    private void onDetach(Detach detach) {
        InvocationState invocation = state.invocation(detach.invocationId());
        if (invocation != null && invocation.removeWaitingIngress(detach.ingressId())) {
            state.put(invocation);
        }
    }

    /** A client peeks: the result, or whether the invocation exists at all. */
    private void onGetOutput(GetOutput request) {
        ReplyTo replyTo = request.replyTo();
        InvocationState invocation = state.invocation(request.invocationId());
        if (invocation == null) {
            effects.reply(replyTo.ingressId(), Reply.of(Reply.Kind.NOT_FOUND, replyTo.requestId(), request.invocationId()));
        } else if (invocation.completed()) {
            effects.reply(replyTo.ingressId(), Reply.result(replyTo.requestId(), invocation.invocationId(),
                    invocation.outcome(), invocation.retainedUntil()));
        } else {
            effects.reply(replyTo.ingressId(), Reply.of(Reply.Kind.NOT_READY, replyTo.requestId(), request.invocationId()));
        }
    }

    // ---- management

    private void onKill(Kill kill, long now) {
        InvocationState invocation = managed(kill.invocationId(), kill.replyTo());
        if (invocation == null) {
            return;
        }
        if (invocation.status() == InvocationStatus.RUNNING) {
            effects.abort(new AbortAttempt(invocation.invocationId(), invocation.attempt()));
        } else if (invocation.status() == InvocationStatus.INBOXED) {
            leaveInbox(invocation);
        }
        complete(invocation, new Outcome(null, KILLED), now);
        done(kill.replyTo(), invocation);
    }

    /**
     * Cancel: an invocation that is not running ends "Cancelled" at once. A running call is aborted (the
     * connection closes, which an HTTP service can observe); if the service's answer still arrives first, it
     * stands, as a Restate handler that ignores cancellation completes normally.
     */
    private void onCancel(Cancel cancel, long now) {
        InvocationState invocation = managed(cancel.invocationId(), cancel.replyTo());
        if (invocation == null) {
            return;
        }
        cancel(invocation, now);
        done(cancel.replyTo(), invocation);
    }

    /**
     * Cancels an invocation that has not completed. One of a service written with an SDK that runs, is suspended or
     * backs off gets the cancel signal in its journal, and its handler decides what cancelling means; any other ends
     * "Cancelled" now, or, when its plain HTTP call runs, once that call is aborted.
     */
    void cancel(InvocationState invocation, long now) {
        boolean inJournal = switch (invocation.status()) {
            case RUNNING, SUSPENDED, BACKING_OFF -> journals.cancel(invocation, now);
            default -> false;
        };
        if (inJournal) {
            return;
        }
        switch (invocation.status()) {
            case RUNNING -> {
                invocation.requestCancel();
                effects.abort(new AbortAttempt(invocation.invocationId(), invocation.attempt()));
                state.put(invocation);
            }
            case INBOXED -> {
                leaveInbox(invocation);
                complete(invocation, new Outcome(null, CANCELLED), now);
            }
            default -> complete(invocation, new Outcome(null, CANCELLED), now);
        }
    }

    private void onPurge(Purge purge) {
        ReplyTo replyTo = purge.replyTo();
        InvocationState invocation = state.invocation(purge.invocationId());
        if (invocation == null) {
            notFound(replyTo, purge.invocationId());
        } else if (!invocation.completed()) {
            effects.reply(replyTo.ingressId(), Reply.rejected(replyTo.requestId(), invocation.invocationId(), 409,
                    "The invocation '" + invocation.invocationId() + "' is not yet completed."));
        } else {
            forget(invocation);
            done(replyTo, invocation);
        }
    }

    /** A completed invocation is deleted, with what belongs only to it. */
    private void forget(InvocationState invocation) {
        journals.onForgotten(invocation);
        state.delete(invocation.invocationId());
    }

    /** Resume: a paused or backing-off invocation runs its next attempt now, with a fresh retry budget. */
    private void onResume(Resume resume, long now) {
        InvocationState invocation = managed(resume.invocationId(), resume.replyTo());
        if (invocation == null) {
            return;
        }
        if (invocation.status() != InvocationStatus.PAUSED && invocation.status() != InvocationStatus.BACKING_OFF) {
            ReplyTo replyTo = resume.replyTo();
            effects.reply(replyTo.ingressId(), Reply.rejected(replyTo.requestId(), invocation.invocationId(), 409,
                    "The invocation '" + invocation.invocationId() + "' is " + invocation.status().wire()
                            + ", not paused or backing off."));
            return;
        }
        invocation.resetRetries();
        startNextAttempt(invocation, now);
        state.put(invocation);
        done(resume.replyTo(), invocation);
    }

    /** The invocation a management command names, or null after answering that it is unknown or completed. */
    private InvocationState managed(InvocationId invocationId, ReplyTo replyTo) {
        InvocationState invocation = state.invocation(invocationId);
        if (invocation == null) {
            notFound(replyTo, invocationId);
            return null;
        }
        if (invocation.completed()) {
            effects.reply(replyTo.ingressId(), Reply.rejected(replyTo.requestId(), invocationId, 409,
                    "The invocation '" + invocationId + "' was already completed."));
            return null;
        }
        return invocation;
    }

    private void notFound(ReplyTo replyTo, InvocationId invocationId) {
        effects.reply(replyTo.ingressId(), Reply.of(Reply.Kind.NOT_FOUND, replyTo.requestId(), invocationId));
    }

    private void done(ReplyTo replyTo, InvocationState invocation) {
        effects.reply(replyTo.ingressId(), Reply.of(Reply.Kind.DONE, replyTo.requestId(), invocation.invocationId()));
    }

}
