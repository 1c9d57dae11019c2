package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Kill;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.Purge;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.commands.Resume;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-key serialization of objects and workflows, and cancel, kill, purge, resume and introspection. */
class ObjectsAndManagementTest {
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final ReplyTo ADMIN = new ReplyTo("ingress-admin", "admin");

    private final InMemoryState state = new InMemoryState();
    private final RecordingEffects effects = new RecordingEffects();
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private final StateMachine machine = new StateMachine(state, effects, new Policies() {
        @Override
        public RetryPolicy retryPolicy(Target target) {
            return retryPolicy;
        }

        @Override
        public Duration retention(Target target, String idempotencyKey) {
            return Duration.ofHours(1);
        }

        @Override
        public Duration inactivityTimeout(Target target) {
            return Duration.ofMinutes(1);
        }
    }, LEASE, "ferry.results");
    private long now = 1_000_000;
    private int requests;

    private static Target add(String key) {
        return new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, key);
    }

    private static Target get(String key) {
        return new Target("Counter", ServiceType.VIRTUAL_OBJECT, "get", HandlerType.SHARED, key);
    }

    @Test
    void exclusiveCallsOnOneKeyRunOneAtATimeInArrivalOrder() {
        Invoke first = call(add("k"));
        Invoke second = call(add("k"));
        Invoke third = call(add("k"));
        machine.apply(first, now);
        machine.apply(second, now + 1);
        machine.apply(third, now + 2);
        assertThat(dispatchedIds()).containsExactly(first.invocationId());
        assertThat(state.invocation(second.invocationId()).status()).isEqualTo(InvocationStatus.INBOXED);

        machine.apply(new Completion(first.invocationId(), 1, ok()), now + 3);
        assertThat(dispatchedIds()).containsExactly(second.invocationId());
        machine.apply(new Completion(second.invocationId(), 1, ok()), now + 4);
        assertThat(dispatchedIds()).containsExactly(third.invocationId());
        machine.apply(new Completion(third.invocationId(), 1, ok()), now + 5);
        assertThat(state.inboxes).as("the lock is gone with its last holder").isEmpty();
    }

    @Test
    void sharedHandlersAndOtherKeysDoNotWait() {
        machine.apply(call(add("k")), now);
        machine.apply(call(add("k")), now);
        effects.takeDispatches();

        Invoke shared = call(get("k"));
        Invoke otherKey = call(add("other"));
        machine.apply(shared, now + 1);
        machine.apply(otherKey, now + 1);
        assertThat(dispatchedIds()).containsExactly(shared.invocationId(), otherKey.invocationId());
    }

    @Test
    void aWorkflowRunHoldsItsKeyAndItsSharedHandlersNeverWait() {
        Target run = new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, "wf");
        Target status = new Target("Signup", ServiceType.WORKFLOW, "status", HandlerType.SHARED, "wf");
        machine.apply(call(run), now);
        Invoke query = call(status);
        machine.apply(query, now + 1);
        assertThat(effects.takeDispatches()).extracting(Dispatch::target).containsExactly(run, status);
    }

    @Test
    void aKeyStaysLockedWhileItsHolderBacksOff() {
        Invoke first = call(add("k"));
        Invoke second = call(add("k"));
        machine.apply(first, now);
        machine.apply(second, now);
        effects.takeDispatches();

        machine.apply(new AttemptFailed(first.invocationId(), 1, new Failure(500, "x"), null), now + 1);
        assertThat(state.invocation(first.invocationId()).status()).isEqualTo(InvocationStatus.BACKING_OFF);
        assertThat(state.invocation(second.invocationId()).status()).isEqualTo(InvocationStatus.INBOXED);
        machine.fireDueTimers(now + 5_000);
        assertThat(dispatchedIds()).as("the holder's retry, not the next in line").containsExactly(first.invocationId());
    }

    @Test
    void killingTheHolderAnswersKilledAndHandsTheKeyToTheNext() {
        Invoke first = call(add("k"));
        Invoke second = call(add("k"));
        machine.apply(first, now);
        machine.apply(second, now);
        effects.takeDispatches();

        machine.apply(new Kill(first.invocationId(), ADMIN), now + 1);
        assertThat(effects.aborts).containsExactly(new AbortAttempt(first.invocationId(), 1));
        List<Reply> replies = effects.takeReplies();
        assertThat(replies).anySatisfy(r -> {
            assertThat(r.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
            assertThat(r.invocationId()).isEqualTo(first.invocationId());
            assertThat(r.outcome().failure()).isEqualTo(new Failure(409, "killed"));
        });
        assertThat(replies).anySatisfy(r -> assertThat(r.kind()).isEqualTo(Reply.Kind.DONE));
        assertThat(dispatchedIds()).containsExactly(second.invocationId());

        machine.apply(new Completion(first.invocationId(), 1, ok()), now + 2);
        assertThat(state.invocation(first.invocationId()).outcome().failure().message())
                .as("the killed call's late answer is ignored").isEqualTo("killed");
    }

    @Test
    void killingAnInboxedInvocationTakesItOutOfTheQueue() {
        Invoke first = call(add("k"));
        Invoke second = call(add("k"));
        Invoke third = call(add("k"));
        machine.apply(first, now);
        machine.apply(second, now);
        machine.apply(third, now);
        effects.takeDispatches();

        machine.apply(new Kill(second.invocationId(), ADMIN), now + 1);
        assertThat(effects.aborts).isEmpty();
        machine.apply(new Completion(first.invocationId(), 1, ok()), now + 2);
        assertThat(dispatchedIds()).containsExactly(third.invocationId());
    }

    @Test
    void cancellingAScheduledInvocationEndsItCancelled() {
        Invoke delayed = send(Target.service("Greeter", "greet"), now + 60_000);
        machine.apply(delayed, now);
        machine.apply(new Cancel(delayed.invocationId(), ADMIN), now + 1);

        assertThat(state.invocation(delayed.invocationId()).outcome().failure()).isEqualTo(new Failure(409, "Cancelled"));
        machine.fireDueTimers(now + 60_000);
        assertThat(effects.dispatches).as("it never starts").isEmpty();
    }

    @Test
    void cancellingARunningCallAbortsItAndEndsCancelledUnlessTheAnswerCameFirst() {
        Invoke aborted = call(Target.service("Greeter", "slow"));
        machine.apply(aborted, now);
        machine.apply(new Cancel(aborted.invocationId(), ADMIN), now + 1);
        assertThat(effects.aborts).containsExactly(new AbortAttempt(aborted.invocationId(), 1));
        machine.apply(new AttemptFailed(aborted.invocationId(), 1, new Failure(499, "aborted"), null), now + 2);
        assertThat(state.invocation(aborted.invocationId()).outcome().failure()).isEqualTo(new Failure(409, "Cancelled"));

        Invoke finished = call(Target.service("Greeter", "slow"));
        machine.apply(finished, now);
        machine.apply(new Cancel(finished.invocationId(), ADMIN), now + 1);
        machine.apply(new Completion(finished.invocationId(), 1, ok()), now + 2);
        assertThat(state.invocation(finished.invocationId()).outcome().succeeded()).isTrue();
    }

    @Test
    void managementOfUnknownOrCompletedInvocationsIsRefused() {
        InvocationId unknown = InvocationIds.forSubmission(Target.service("Greeter", "greet"), "nobody");
        machine.apply(new Kill(unknown, ADMIN), now);
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.NOT_FOUND);

        Invoke call = call(Target.service("Greeter", "greet"));
        machine.apply(call, now);
        machine.apply(new Completion(call.invocationId(), 1, ok()), now);
        effects.takeReplies();
        machine.apply(new Cancel(call.invocationId(), ADMIN), now);
        Reply refused = single(effects.takeReplies());
        assertThat(refused.kind()).isEqualTo(Reply.Kind.REJECTED);
        assertThat(refused.outcome().failure()).isEqualTo(new Failure(409,
                "The invocation '" + call.invocationId() + "' was already completed."));
    }

    @Test
    void purgeForgetsACompletedInvocationAndRefusesARunningOne() {
        Invoke running = call(Target.service("Greeter", "slow"));
        machine.apply(running, now);
        machine.apply(new Purge(running.invocationId(), ADMIN), now);
        assertThat(single(effects.takeReplies()).outcome().failure()).isEqualTo(new Failure(409,
                "The invocation '" + running.invocationId() + "' is not yet completed."));

        machine.apply(new Completion(running.invocationId(), 1, ok()), now);
        effects.takeReplies();
        machine.apply(new Purge(running.invocationId(), ADMIN), now);
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.DONE);
        assertThat(state.invocation(running.invocationId())).isNull();
    }

    @Test
    void resumingAPausedInvocationRunsItAgainWithAFreshRetryBudget() {
        retryPolicy = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 1,
                RetryPolicy.OnMaxAttempts.PAUSE);
        Invoke call = call(Target.service("Greeter", "flaky"));
        machine.apply(call, now);
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "down"), null), now);
        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.PAUSED);
        effects.takeDispatches();

        machine.apply(new Resume(call.invocationId(), ADMIN), now + 1);
        assertThat(single(effects.takeDispatches()).attempt()).isEqualTo(2);
        machine.apply(new Completion(call.invocationId(), 2, ok()), now + 2);
        assertThat(state.invocation(call.invocationId()).outcome().succeeded()).isTrue();
    }

    private List<InvocationId> dispatchedIds() {
        return effects.takeDispatches().stream().map(Dispatch::invocationId).toList();
    }

    private Invoke call(Target target) {
        return new Invoke(InvocationIds.forSubmission(target, null), target, null, "application/json",
                List.of(), Payload.ofUtf8("1"), null, null, false, new ReplyTo("ingress-a", "r" + (++requests)), false, now,
                null);
    }

    private Invoke send(Target target, Long executeAt) {
        return new Invoke(InvocationIds.forSubmission(target, null), target, null, "application/json",
                List.of(), Payload.ofUtf8("1"), null, executeAt, true, null, false, now, null);
    }

    private static Outcome ok() {
        return Outcome.success(200, "application/json", Payload.ofUtf8("1"));
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
