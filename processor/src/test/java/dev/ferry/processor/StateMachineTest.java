package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.GetOutput;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.RenewLease;
import dev.ferry.schemas.commands.ReplyTo;
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

/** The state machine's decisions, one behaviour per test, without Kafka. */
class StateMachineTest {
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final Target SIGNUP_RUN =
            new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, "wf-1");

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
            return RETENTION;
        }

        @Override
        public Duration inactivityTimeout(Target target) {
            return Duration.ofMinutes(1);
        }
    }, LEASE, "ferry.results");
    private long now = 1_000_000;
    private int requests;

    @Test
    void aCallIsDispatchedAndItsResultGoesToTheWaitingCaller() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);

        Dispatch dispatch = single(effects.takeDispatches());
        assertThat(dispatch.invocationId()).isEqualTo(call.invocationId());
        assertThat(dispatch.attempt()).isEqualTo(1);
        assertThat(dispatch.body().utf8()).isEqualTo("{\"name\":\"Mary\"}");
        assertThat(dispatch.leaseMillis()).isEqualTo(LEASE.toMillis());
        assertThat(effects.replies).isEmpty();

        machine.apply(new Completion(call.invocationId(), 1, ok("hello")), now + 5);
        assertThat(effects.replyIngresses).containsExactly(call.replyTo().ingressId());
        Reply reply = single(effects.takeReplies());
        assertThat(reply.requestId()).as("for every request of the ingress that waits").isNull();
        assertThat(reply.invocationId()).isEqualTo(call.invocationId());
        assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(reply.outcome().success().body().utf8()).isEqualTo("\"hello\"");
        assertThat(reply.retainedUntil()).as("the first answer is not a replay").isNull();
        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.COMPLETED);
        assertThat(state.input(state.invocation(call.invocationId()))).as("the request is dropped once done")
                .isNull();
    }

    @Test
    void aSmallRequestIsKeptWithItsInvocationUntilItCompletesAndNeverInTheInputsStore() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        effects.takeDispatches();
        assertThat(state.inputs).as("no changelog record of its own").isEmpty();
        assertThat(state.invocation(call.invocationId()).keptInput().body().utf8()).isEqualTo("{\"name\":\"Mary\"}");

        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "boom"), null), now);
        machine.fireDueTimers(state.invocation(call.invocationId()).nextRetryAt());
        Dispatch retry = single(effects.takeDispatches());
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.contentType()).isEqualTo("application/json");
        assertThat(retry.body().utf8()).as("read back from the stored invocation").isEqualTo("{\"name\":\"Mary\"}");

        machine.apply(new Completion(call.invocationId(), 2, ok("hello")), now + 5);
        assertThat(state.invocation(call.invocationId()).keptInput()).isNull();
        assertThat(state.inputs).isEmpty();
    }

    @Test
    void aLargeRequestLivesInTheInputsStoreUntilItsInvocationCompletes() {
        Payload large = Payload.ofUtf8("\"" + "x".repeat(InvocationState.MAX_KEPT_INPUT_BYTES) + "\"");
        Invoke call = withBody(call(GREET, null), large);
        machine.apply(call, now);

        assertThat(single(effects.takeDispatches()).body()).isEqualTo(large);
        assertThat(state.invocation(call.invocationId()).keptInput()).as("not rewritten with every update").isNull();
        assertThat(state.input(call.invocationId()).body()).isEqualTo(large);

        machine.apply(new Completion(call.invocationId(), 1, ok("hello")), now + 5);
        assertThat(state.inputs).isEmpty();
    }

    @Test
    void aRequestAnEarlierFerryStoredInTheInputsStoreIsReadAndDroppedThere() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        effects.takeDispatches();
        // As an earlier Ferry stored every request: in the inputs store, none in the invocation's state.
        InvocationState invocation = state.invocation(call.invocationId());
        StoredInput request = invocation.keptInput();
        invocation.dropInput();
        state.put(invocation);
        state.putInput(call.invocationId(), request);

        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "boom"), null), now);
        machine.fireDueTimers(state.invocation(call.invocationId()).nextRetryAt());
        assertThat(single(effects.takeDispatches()).body().utf8()).isEqualTo("{\"name\":\"Mary\"}");

        machine.apply(new Completion(call.invocationId(), 2, ok("hello")), now + 5);
        assertThat(state.inputs).isEmpty();
    }

    @Test
    void aPlainSendRunsWithoutAnswering() {
        Invoke send = send(GREET, null, null, false);
        machine.apply(send, now);
        assertThat(single(effects.takeDispatches()).invocationId()).isEqualTo(send.invocationId());
        assertThat(effects.replies).isEmpty();
    }

    @Test
    void anIdempotentSendIsAcceptedOnceAndThenPreviouslyAccepted() {
        Invoke first = send(GREET, "key-1", null, true);
        machine.apply(first, now);
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.ACCEPTED);
        assertThat(effects.takeDispatches()).hasSize(1);

        Invoke second = send(GREET, "key-1", null, true);
        assertThat(second.invocationId()).isEqualTo(first.invocationId());
        machine.apply(second, now + 1);
        Reply reply = single(effects.takeReplies());
        assertThat(reply.kind()).isEqualTo(Reply.Kind.PREVIOUSLY_ACCEPTED);
        assertThat(reply.invocationId()).isEqualTo(first.invocationId());
        assertThat(effects.dispatches).as("the handler does not run again").isEmpty();
    }

    @Test
    void aRepeatedIdempotentCallWhileTheFirstRunsWaitsForItsResult() {
        Invoke first = call(GREET, "key-2");
        Invoke second = call(GREET, "key-2");
        machine.apply(first, now);
        machine.apply(second, now + 1);
        assertThat(effects.takeDispatches()).hasSize(1);

        machine.apply(new Completion(first.invocationId(), 1, ok("once")), now + 2);
        assertThat(effects.replyIngresses).as("both wait on one ingress: one reply for both").containsExactly("ingress-a");
        Reply reply = single(effects.takeReplies());
        assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(reply.outcome().success().body().utf8()).isEqualTo("\"once\"");
    }

    @Test
    void aRepeatedIdempotentCallAfterCompletionGetsTheKeptResultAndItsExpiry() {
        Invoke first = call(GREET, "key-3");
        machine.apply(first, now);
        machine.apply(new Completion(first.invocationId(), 1, Outcome.failure(400, "no")), now + 10);
        effects.takeReplies();
        effects.takeDispatches();

        Invoke again = call(GREET, "key-3");
        machine.apply(again, now + 20);
        Reply reply = single(effects.takeReplies());
        assertThat(reply.requestId()).isEqualTo(again.replyTo().requestId());
        assertThat(reply.outcome().failure()).isEqualTo(new Failure(400, "no"));
        assertThat(reply.retainedUntil()).isEqualTo(now + 10 + RETENTION.toMillis());
        assertThat(effects.dispatches).isEmpty();
    }

    @Test
    void aWorkflowRunCalledAgainAnswers409WithTheFirstRunsId() {
        Invoke first = call(SIGNUP_RUN, null);
        machine.apply(first, now);
        Invoke second = call(SIGNUP_RUN, null);
        machine.apply(second, now + 1);

        Reply reply = single(effects.takeReplies());
        assertThat(reply.requestId()).isEqualTo(second.replyTo().requestId());
        assertThat(reply.invocationId()).isEqualTo(first.invocationId());
        assertThat(reply.outcome().failure()).isEqualTo(new Failure(409, "the workflow method was already invoked"));
        assertThat(effects.takeDispatches()).hasSize(1);
    }

    @Test
    void theSameRequestDeliveredTwiceIsAnsweredOnce() {
        Invoke run = call(SIGNUP_RUN, null);
        machine.apply(run, now);
        machine.apply(run, now + 1);
        assertThat(effects.replies).as("no 409 for the caller's own request").isEmpty();
        assertThat(effects.takeDispatches()).hasSize(1);
    }

    @Test
    void aDelayedSendStartsWhenItsTimeComesAndNotBefore() {
        Invoke send = send(GREET, null, now + 10_000, false);
        machine.apply(send, now);
        assertThat(effects.dispatches).isEmpty();
        assertThat(state.invocation(send.invocationId()).status()).isEqualTo(InvocationStatus.SCHEDULED);

        machine.fireDueTimers(now + 9_999);
        assertThat(effects.dispatches).isEmpty();

        machine.fireDueTimers(now + 10_000);
        assertThat(single(effects.takeDispatches()).invocationId()).isEqualTo(send.invocationId());
    }

    @Test
    void aRetryableFailureRunsTheNextAttemptAfterTheBackoff() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        effects.takeDispatches();
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "boom"), null), now);

        InvocationState backingOff = state.invocation(call.invocationId());
        assertThat(backingOff.status()).isEqualTo(InvocationStatus.BACKING_OFF);
        assertThat(backingOff.lastFailure()).isEqualTo(new Failure(500, "boom"));
        long retryAt = backingOff.nextRetryAt();
        assertThat(retryAt - now).as("500 ms plus up to 30% jitter").isBetween(500L, 650L);

        machine.fireDueTimers(retryAt - 1);
        assertThat(effects.dispatches).isEmpty();
        machine.fireDueTimers(retryAt);
        assertThat(single(effects.takeDispatches()).attempt()).isEqualTo(2);
    }

    @Test
    void retryAfterFromTheServiceLengthensTheBackoff() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(503, "busy"), 7_000L), now);
        assertThat(state.invocation(call.invocationId()).nextRetryAt()).isEqualTo(now + 7_000);
    }

    @Test
    void theBackoffDoublesUpToTheMaximumInterval() {
        retryPolicy = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofMillis(300), null,
                RetryPolicy.OnMaxAttempts.PAUSE);
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        long[] expectedBase = {100, 200, 300, 300};
        for (int attempt = 1; attempt <= expectedBase.length; attempt++) {
            machine.apply(new AttemptFailed(call.invocationId(), attempt, new Failure(500, "x"), null), now);
            long delay = state.invocation(call.invocationId()).nextRetryAt() - now;
            assertThat(delay).isBetween(expectedBase[attempt - 1], expectedBase[attempt - 1] * 13 / 10);
            now += delay;
            machine.fireDueTimers(now);
        }
    }

    @Test
    void outcomesOfAnAttemptThatIsNoLongerCurrentAreIgnored() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "x"), null), now);
        machine.fireDueTimers(now + 1_000);
        effects.takeDispatches();

        machine.apply(new Completion(call.invocationId(), 1, ok("late")), now + 1_001);
        assertThat(effects.replies).isEmpty();
        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.RUNNING);

        machine.apply(new Completion(call.invocationId(), 2, ok("current")), now + 1_002);
        assertThat(single(effects.takeReplies()).outcome().success().body().utf8()).isEqualTo("\"current\"");
    }

    @Test
    void aLapsedLeaseRunsTheAttemptAgain() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        effects.takeDispatches();

        machine.fireDueTimers(now + LEASE.toMillis());
        InvocationState lapsed = state.invocation(call.invocationId());
        assertThat(lapsed.status()).isEqualTo(InvocationStatus.BACKING_OFF);
        assertThat(lapsed.lastFailure().message()).contains("stopped renewing its lease");
        assertThat(effects.aborts).as("dispatchers are told to drop the lapsed attempt")
                .containsExactly(new AbortAttempt(call.invocationId(), 1));

        machine.fireDueTimers(lapsed.nextRetryAt());
        assertThat(single(effects.takeDispatches()).attempt()).isEqualTo(2);
    }

    @Test
    void aRenewedLeaseKeepsTheAttemptRunning() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        effects.takeDispatches();

        machine.apply(new RenewLease(call.invocationId(), 1), now + LEASE.toMillis() / 2);
        machine.fireDueTimers(now + LEASE.toMillis());
        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.RUNNING);
        assertThat(effects.dispatches).isEmpty();

        machine.fireDueTimers(now + LEASE.toMillis() * 3 / 2);
        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.BACKING_OFF);
    }

    @Test
    void anAttemptsEndTakesItsLeaseTimerWithIt() {
        Invoke completes = call(GREET, null);
        machine.apply(completes, now);
        assertThat(leaseTimers(completes)).hasSize(1);
        machine.apply(new Completion(completes.invocationId(), 1, ok("hello")), now + 5);
        assertThat(leaseTimers(completes)).as("no timer left to come due for nothing").isEmpty();

        Invoke fails = call(GREET, null);
        machine.apply(fails, now);
        machine.apply(new AttemptFailed(fails.invocationId(), 1, new Failure(500, "boom"), null), now + 5);
        assertThat(leaseTimers(fails)).isEmpty();

        Invoke renewed = call(GREET, null);
        machine.apply(renewed, now);
        machine.apply(new RenewLease(renewed.invocationId(), 1), now + LEASE.toMillis() / 2);
        machine.fireDueTimers(now + LEASE.toMillis()); // the lease was renewed: its timer comes again later
        assertThat(leaseTimers(renewed)).singleElement()
                .extracting(Timer::due).isEqualTo(now + LEASE.toMillis() * 3 / 2);
        machine.apply(new Completion(renewed.invocationId(), 1, ok("late")), now + LEASE.toMillis() + 5);
        assertThat(leaseTimers(renewed)).isEmpty();
    }

    private List<Timer> leaseTimers(Invoke invoke) {
        return state.timers.values().stream()
                .filter(timer -> timer.kind() == Timer.Kind.LEASE && timer.invocationId().equals(invoke.invocationId()))
                .toList();
    }

    @Test
    void anInvocationIsPausedWhenItsLastAllowedAttemptFails() {
        retryPolicy = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 2,
                RetryPolicy.OnMaxAttempts.PAUSE);
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "one"), null), now);
        machine.fireDueTimers(now + 1_000);
        machine.apply(new AttemptFailed(call.invocationId(), 2, new Failure(500, "two"), null), now + 1_000);

        InvocationState paused = state.invocation(call.invocationId());
        assertThat(paused.status()).isEqualTo(InvocationStatus.PAUSED);
        assertThat(paused.lastFailure().message()).isEqualTo("two");
        assertThat(effects.replies).as("the caller keeps waiting").isEmpty();
    }

    @Test
    void anInvocationRunsUnderThePoliciesItStartedWithWhateverTheRegistrySaysLater() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        // An operator allows one attempt from now on: the invocation that started before goes on retrying, as the
        // processor decided before a crash and decides again after it.
        retryPolicy = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 1,
                RetryPolicy.OnMaxAttempts.KILL);
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "one"), null), now);

        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.BACKING_OFF);
        assertThat(effects.takeReplies()).isEmpty();

        Invoke later = call(GREET, null);
        machine.apply(later, now);
        machine.apply(new AttemptFailed(later.invocationId(), 1, new Failure(500, "gone"), null), now);
        assertThat(single(effects.takeReplies()).outcome().failure()).as("started after the change")
                .isEqualTo(new Failure(500, "gone"));
    }

    @Test
    void onMaxAttemptsKillEndsTheInvocationWithItsLastFailure() {
        retryPolicy = new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 1,
                RetryPolicy.OnMaxAttempts.KILL);
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        machine.apply(new AttemptFailed(call.invocationId(), 1, new Failure(500, "gone"), null), now);
        assertThat(single(effects.takeReplies()).outcome().failure()).isEqualTo(new Failure(500, "gone"));
    }

    @Test
    void aCompletedInvocationIsForgottenWhenItsRetentionEnds() {
        Invoke call = call(GREET, "key-4");
        machine.apply(call, now);
        machine.apply(new Completion(call.invocationId(), 1, ok("x")), now);

        machine.fireDueTimers(now + RETENTION.toMillis() - 1);
        assertThat(state.invocation(call.invocationId())).isNotNull();
        machine.fireDueTimers(now + RETENTION.toMillis());
        assertThat(state.invocation(call.invocationId())).isNull();

        effects.takeDispatches();
        machine.apply(call(GREET, "key-4"), now + RETENTION.toMillis() + 1);
        assertThat(effects.takeDispatches()).as("after expiry a repeat runs anew").hasSize(1);
    }

    @Test
    void anInvokeWithoutAnIdIsRejectedAndChangesNothing() {
        // A malformed id cannot get this far (reading the record fails, see ProcessorTopologyTest); a missing one
        // is given by Submissions before the Invoke is applied, so only a bug would apply one without.
        Invoke good = call(GREET, null);
        Invoke bad = new Invoke(null, good.target(), null, null, List.of(), Payload.EMPTY, null, null, false,
                good.replyTo(), false, now, null);
        machine.apply(bad, now);
        assertThat(effects.rejections).singleElement().asString().contains("an Invoke without an invocationId");
        assertThat(effects.dispatches).isEmpty();
        assertThat(state.invocations).isEmpty();
    }

    @Test
    void anAttachWhileRunningGetsTheResultWhenItComes() {
        Invoke send = send(GREET, null, null, false);
        machine.apply(send, now);
        machine.apply(new Attach(send.invocationId(), new ReplyTo("ingress-b", "attach-1")), now + 1);
        assertThat(effects.replies).isEmpty();

        machine.apply(new Completion(send.invocationId(), 1, ok("done")), now + 2);
        assertThat(effects.replyIngresses).containsExactly("ingress-b");
        Reply reply = single(effects.takeReplies());
        assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(reply.invocationId()).isEqualTo(send.invocationId());
        assertThat(reply.outcome().success().body().utf8()).isEqualTo("\"done\"");
        assertThat(reply.retainedUntil()).as("a first answer, not a replay").isNull();
    }

    @Test
    void anAttachToACompletedInvocationGetsTheKeptResultAndItsExpiry() {
        Invoke call = call(GREET, null);
        machine.apply(call, now);
        machine.apply(new Completion(call.invocationId(), 1, ok("kept")), now + 2);
        effects.takeReplies();

        machine.apply(new Attach(call.invocationId(), new ReplyTo("ingress-b", "attach-2")), now + 3);
        Reply reply = single(effects.takeReplies());
        assertThat(reply.outcome().success().body().utf8()).isEqualTo("\"kept\"");
        assertThat(reply.retainedUntil()).isEqualTo(now + 2 + RETENTION.toMillis());
    }

    @Test
    void anAttachToAnUnknownInvocationIsNotFound() {
        InvocationId unknown = InvocationIds.forSubmission(GREET, "never");
        machine.apply(new Attach(unknown, new ReplyTo("ingress-b", "attach-3")), now);
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.NOT_FOUND);
    }

    @Test
    void outputIsNotReadyWhileRunningThenTheResultThenNotFoundAfterRetention() {
        Invoke send = send(GREET, "out-1", null, false);
        machine.apply(send, now);
        machine.apply(new GetOutput(send.invocationId(), new ReplyTo("i", "o1")), now);
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.NOT_READY);

        machine.apply(new Completion(send.invocationId(), 1, Outcome.failure(400, "boom")), now + 1);
        machine.apply(new GetOutput(send.invocationId(), new ReplyTo("i", "o2")), now + 2);
        Reply result = single(effects.takeReplies());
        assertThat(result.kind()).isEqualTo(Reply.Kind.RESULT);
        assertThat(result.outcome().failure()).isEqualTo(new Failure(400, "boom"));

        machine.fireDueTimers(now + 1 + RETENTION.toMillis());
        machine.apply(new GetOutput(send.invocationId(), new ReplyTo("i", "o3")), now + 2 + RETENTION.toMillis());
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.NOT_FOUND);
    }

    @Test
    void aCallWithTheKeyOfADelayedSendWaitsForTheDelayedRun() {
        Invoke delayed = send(GREET, "later", now + 2_000, true);
        machine.apply(delayed, now);
        effects.takeReplies();
        Invoke call = call(GREET, "later");
        machine.apply(call, now + 10);
        assertThat(effects.replies).isEmpty();

        machine.fireDueTimers(now + 2_000);
        assertThat(single(effects.takeDispatches()).invocationId()).isEqualTo(delayed.invocationId());
        machine.apply(new Completion(delayed.invocationId(), 1, ok("later")), now + 2_100);
        assertThat(effects.replyIngresses).containsExactly(call.replyTo().ingressId());
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
    }

    @Test
    void aStrictRepeatWithADifferentBodyIsRefusedAndTheSameBodyReplayed() {
        Invoke first = call(GREET, "strict-1");
        machine.apply(first, now);
        machine.apply(new Completion(first.invocationId(), 1, ok("first")), now + 1);
        effects.takeReplies();

        Invoke different = strict(call(GREET, "strict-1"), Payload.ofUtf8("{\"name\":\"Other\"}"));
        machine.apply(different, now + 2);
        Reply refused = single(effects.takeReplies());
        assertThat(refused.kind()).isEqualTo(Reply.Kind.REJECTED);
        assertThat(refused.outcome().failure().code()).isEqualTo(422);
        assertThat(refused.outcome().failure().message()).contains("'strict-1'", "Greeter/greet");

        Invoke same = strict(call(GREET, "strict-1"), first.body());
        machine.apply(same, now + 3);
        assertThat(single(effects.takeReplies()).outcome().success().body().utf8()).isEqualTo("\"first\"");
    }

    @Test
    void withoutStrictHandlingARepeatWithADifferentBodyGetsTheFirstResultAsInRestate() {
        Invoke first = call(GREET, "lenient-1");
        machine.apply(first, now);
        machine.apply(new Completion(first.invocationId(), 1, ok("first")), now + 1);
        effects.takeReplies();
        effects.takeDispatches();

        Invoke other = call(GREET, "lenient-1");
        machine.apply(new Invoke(other.invocationId(), GREET, "lenient-1", "application/json", List.of(),
                Payload.ofUtf8("{\"name\":\"Other\"}"), null, null, false, other.replyTo(), false, now + 2, null), now + 2);
        assertThat(single(effects.takeReplies()).outcome().success().body().utf8()).isEqualTo("\"first\"");
        assertThat(effects.dispatches).isEmpty();
    }

    private static Invoke withBody(Invoke invoke, Payload body) {
        return new Invoke(invoke.invocationId(), invoke.target(), invoke.idempotencyKey(), invoke.contentType(),
                invoke.headers(), body, invoke.delay(), invoke.executeAt(), invoke.send(), invoke.replyTo(),
                invoke.requireSameRequest(), invoke.createdAt(), invoke.resultTopic());
    }

    private static Invoke strict(Invoke invoke, Payload body) {
        return new Invoke(invoke.invocationId(), invoke.target(), invoke.idempotencyKey(), invoke.contentType(),
                invoke.headers(), body, invoke.delay(), invoke.executeAt(), invoke.send(), invoke.replyTo(), true,
                invoke.createdAt(), invoke.resultTopic());
    }

    private Invoke call(Target target, String idempotencyKey) {
        return new Invoke(InvocationIds.forSubmission(target, idempotencyKey), target, idempotencyKey,
                "application/json", List.of(), Payload.ofUtf8("{\"name\":\"Mary\"}"), null, null, false,
                new ReplyTo("ingress-a", "r" + (++requests)), false, now, null);
    }

    private Invoke send(Target target, String idempotencyKey, Long executeAt, boolean answered) {
        return new Invoke(InvocationIds.forSubmission(target, idempotencyKey), target, idempotencyKey,
                "application/json", List.of(), Payload.ofUtf8("{}"), null, executeAt, true,
                answered ? new ReplyTo("ingress-a", "r" + (++requests)) : null, false, now, null);
    }

    private static Outcome ok(String text) {
        return Outcome.success(200, "application/json", Payload.ofUtf8("\"" + text + "\""));
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
