package dev.ferry.processor;

import dev.ferry.schemas.Dispatch;
import dev.ferry.schemas.Failure;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Outcome;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.ReplyTo;
import dev.ferry.schemas.RetryPolicy;
import dev.ferry.schemas.command.Attach;
import dev.ferry.schemas.command.AttemptFailed;
import dev.ferry.schemas.command.Command;
import dev.ferry.schemas.command.Completion;
import dev.ferry.schemas.command.GetOutput;
import dev.ferry.schemas.command.Invoke;
import dev.ferry.schemas.command.RenewLease;
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
    /** Timers fired per tick at most, so one tick never holds the stream thread for long. */
    static final int TIMERS_PER_TICK = 1_000;

    private final ProcessorState state;
    private final Effects effects;
    private final Policies policies;
    private final Duration lease;

    public StateMachine(ProcessorState state, Effects effects, Policies policies, Duration lease) {
        this.state = state;
        this.effects = effects;
        this.policies = policies;
        this.lease = lease;
    }

    public void apply(Command command, long now) {
        switch (command) {
            case Invoke invoke -> onInvoke(invoke, now);
            case Completion completion -> onCompletion(completion, now);
            case AttemptFailed failed -> onAttemptFailed(failed, now);
            case RenewLease renewal -> onRenewLease(renewal, now);
            case Attach attach -> onAttach(attach);
            case GetOutput output -> onGetOutput(output);
        }
    }

    /** Fires the timers due at {@code now}; returns how many fired. */
    public int fireDueTimers(long now) {
        List<Timer> due = state.dueTimers(now, TIMERS_PER_TICK);
        for (Timer timer : due) {
            state.removeTimer(timer);
            InvocationState invocation = state.invocation(timer.invocationId());
            if (invocation != null) {
                onTimer(timer, invocation, now);
            }
        }
        return due.size();
    }

    private void onInvoke(Invoke invoke, long now) {
        String id = invoke.invocationId();
        try {
            InvocationId.parse(id);
        } catch (InvocationId.InvalidIdException e) {
            effects.reject("bad invocation id '" + id + "': " + e.getMessage());
            return;
        }
        InvocationState existing = state.invocation(id);
        if (existing != null) {
            onRepeatedSubmission(existing, invoke);
            return;
        }
        InvocationState invocation =
                InvocationState.created(id, invoke.target(), invoke.idempotencyKey(), requestHash(invoke), now);
        state.putInput(id, new StoredInput(invoke.contentType(), invoke.headers(), invoke.body()));
        if (invoke.send()) {
            answerSubmission(invoke, Reply.Kind.ACCEPTED, id);
        } else {
            invocation.addWaiter(invoke.replyTo());
        }
        if (invoke.executeAt() != null && invoke.executeAt() > now) {
            invocation.schedule(invoke.executeAt());
            state.addTimer(new Timer(invoke.executeAt(), Timer.Kind.START, id, 0));
        } else {
            startNextAttempt(invocation, now);
        }
        state.put(invocation);
    }

    /**
     * A submission whose id is already known: a repeat of an idempotent request, a workflow run submitted again,
     * or the same record delivered twice. It never runs the handler again.
     */
    private void onRepeatedSubmission(InvocationState existing, Invoke invoke) {
        ReplyTo replyTo = invoke.replyTo();
        if (replyTo != null && existing.isWaiting(replyTo)) {
            return; // the very same request, seen again: it is already waiting
        }
        if (invoke.requireSameRequest() && invoke.idempotencyKey() != null
                && !requestHash(invoke).equals(existing.requestHash())) {
            if (replyTo != null) {
                effects.reply(replyTo.ingressId(), new Reply(replyTo.requestId(), existing.invocationId(),
                        Reply.Kind.REJECTED, Outcome.failure(422, "the idempotency key '" + invoke.idempotencyKey()
                                + "' was already used for " + existing.target() + " with a different request"),
                        null));
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
        existing.addWaiter(replyTo);
        state.put(existing);
    }

    /** A client attaches: the result now if there is one, when it comes otherwise. */
    private void onAttach(Attach attach) {
        ReplyTo replyTo = attach.replyTo();
        InvocationState invocation = state.invocation(attach.invocationId());
        if (invocation == null) {
            effects.reply(replyTo.ingressId(), Reply.of(Reply.Kind.NOT_FOUND, replyTo.requestId(), attach.invocationId()));
        } else if (invocation.completed()) {
            effects.reply(replyTo.ingressId(), Reply.result(replyTo.requestId(), invocation.invocationId(),
                    invocation.outcome(), invocation.retainedUntil()));
        } else {
            invocation.addWaiter(replyTo);
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

    private void answerSubmission(Invoke invoke, Reply.Kind kind, String invocationId) {
        ReplyTo replyTo = invoke.replyTo();
        if (replyTo != null) {
            effects.reply(replyTo.ingressId(), Reply.of(kind, replyTo.requestId(), invocationId));
        }
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
                    startNextAttempt(invocation, now);
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
                } else {
                    retryOrGiveUp(invocation, new Failure(503,
                            "the dispatcher running attempt " + invocation.attempt() + " stopped renewing its lease"),
                            null, now);
                }
            }
            case EXPIRE -> {
                if (invocation.completed() && invocation.retainedUntil() <= now) {
                    state.delete(invocation.invocationId());
                }
            }
        }
    }

    private void startNextAttempt(InvocationState invocation, long now) {
        long leaseUntil = now + lease.toMillis();
        int attempt = invocation.startNextAttempt(now, leaseUntil);
        StoredInput input = state.input(invocation.invocationId());
        effects.dispatch(new Dispatch(
                invocation.invocationId(),
                attempt,
                invocation.target(),
                invocation.idempotencyKey(),
                input.contentType(),
                input.headers(),
                input.body(),
                lease.toMillis()));
        state.addTimer(new Timer(leaseUntil, Timer.Kind.LEASE, invocation.invocationId(), attempt));
    }

    private void retryOrGiveUp(InvocationState invocation, Failure failure, Long retryAfterMillis, long now) {
        RetryPolicy policy = policies.retryPolicy(invocation.target());
        int failedAttempt = invocation.attempt();
        if (policy.exhaustedAfter(failedAttempt)) {
            if (policy.onMaxAttempts() == RetryPolicy.OnMaxAttempts.KILL) {
                complete(invocation, new Outcome(null, failure), now);
            } else {
                invocation.pause(failure);
                state.put(invocation);
            }
            return;
        }
        long delay = withJitter(policy.delayAfter(failedAttempt).toMillis(), invocation.invocationId(), failedAttempt);
        if (retryAfterMillis != null) {
            delay = Math.max(delay, retryAfterMillis);
        }
        long retryAt = now + delay;
        invocation.backOff(failure, retryAt);
        state.addTimer(new Timer(retryAt, Timer.Kind.RETRY, invocation.invocationId(), failedAttempt));
        state.put(invocation);
    }

    /**
     * Adds up to 30% to a retry delay, as Restate does, so that invocations that failed together do not all
     * retry together. The jitter is derived from the invocation and attempt rather than drawn at random, so
     * replaying the log decides the same retry time.
     */
    static long withJitter(long delayMillis, String invocationId, int attempt) {
        long spread = delayMillis * 3 / 10;
        if (spread <= 0) {
            return delayMillis;
        }
        int hash = (invocationId.hashCode() * 31 + attempt) & Integer.MAX_VALUE;
        return delayMillis + hash % (spread + 1);
    }

    private void complete(InvocationState invocation, Outcome outcome, long now) {
        Duration retention = policies.retention(invocation.target(), invocation.idempotencyKey());
        long keptUntil = now + retention.toMillis();
        invocation.complete(outcome, now, keptUntil);
        state.deleteInput(invocation.invocationId());
        for (ReplyTo waiter : invocation.takeWaiters()) {
            effects.reply(waiter.ingressId(),
                    Reply.result(waiter.requestId(), invocation.invocationId(), outcome, null));
        }
        if (retention.isZero() || retention.isNegative()) {
            state.delete(invocation.invocationId());
            return;
        }
        state.addTimer(new Timer(keptUntil, Timer.Kind.EXPIRE, invocation.invocationId(), invocation.attempt()));
        state.put(invocation);
    }

}
