package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Detach;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Kill;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Bounded state under a flood: waiters are ingress instances (deduped, capped, detached when their callers go),
 * and an object key's inbox has a length cap and costs one small entry per queued invocation.
 */
class WaitersAndInboxesTest {
    private static final int MAX_INBOX = 3;
    private static final ReplyTo ADMIN = new ReplyTo("ingress-admin", "admin");
    private static final Target SIGNUP_RUN =
            new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, "wf-1");

    /** The usual test policies, with a minute's inactivity timeout: some tests here are about calls that go quiet. */
    private static final Policies POLICIES = new TestPolicies() {
        @Override
        public Duration inactivityTimeout(Target target) {
            return Duration.ofMinutes(1);
        }
    };

    private final InMemoryState state = new InMemoryState();
    private final RecordingEffects effects = new RecordingEffects();
    private final StateMachine machine =
            new StateMachine(state, effects, POLICIES, Duration.ofSeconds(10), "ferry.results", MAX_INBOX);
    private final long now = 1_000_000;
    private int requests;

    // ---- waiters

    @Test
    void aFloodOfAttachesFromOneIngressIsOneWaiterAndLeavesTheStoredStateAsItWas() {
        Invoke call = call(SIGNUP_RUN, "ingress-a");
        machine.apply(call, now);
        int storedBytes = storedBytes(call.invocationId());

        for (int i = 0; i < 5_000; i++) {
            machine.apply(new Attach(call.invocationId(), new ReplyTo("ingress-a", "attach-" + i)), now + 1);
        }
        assertThat(storedBytes(call.invocationId())).as("no trace of the attaches").isEqualTo(storedBytes);
        assertThat(state.invocation(call.invocationId()).waitingIngresses()).containsExactly("ingress-a");

        machine.apply(new Completion(call.invocationId(), 1, ok()), now + 2);
        assertThat(effects.replyIngresses).containsExactly("ingress-a");
        assertThat(single(effects.takeReplies()).kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
    }

    @Test
    void aFloodOfIdempotentRepeatsIsOneWaiterToo() {
        Target greet = Target.service("Greeter", "greet");
        Invoke first = idempotentCall(greet, "key-1");
        machine.apply(first, now);
        int storedBytes = storedBytes(first.invocationId());
        for (int i = 0; i < 2_000; i++) {
            machine.apply(idempotentCall(greet, "key-1"), now + 1);
        }
        assertThat(storedBytes(first.invocationId())).isEqualTo(storedBytes);
        assertThat(effects.takeDispatches()).as("run once").hasSize(1);

        machine.apply(new Completion(first.invocationId(), 1, ok()), now + 2);
        assertThat(effects.replyIngresses).containsExactly("ingress-a");
    }

    @Test
    void theResultGoesOnceToEveryWaitingIngress() {
        Invoke call = call(SIGNUP_RUN, "ingress-a");
        machine.apply(call, now);
        for (String ingress : List.of("ingress-b", "ingress-c", "ingress-b", "ingress-a")) {
            machine.apply(new Attach(call.invocationId(), new ReplyTo(ingress, nextRequest())), now + 1);
        }
        machine.apply(new Completion(call.invocationId(), 1, ok()), now + 2);

        assertThat(effects.replyIngresses).containsExactly("ingress-a", "ingress-b", "ingress-c");
        assertThat(effects.takeReplies()).allSatisfy(reply -> {
            assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
            assertThat(reply.requestId()).isNull();
            assertThat(reply.invocationId()).isEqualTo(call.invocationId());
            assertThat(reply.outcome().success().body().utf8()).isEqualTo("1");
        });
        assertThat(state.invocation(call.invocationId()).waitingIngresses()).as("forgotten once answered").isEmpty();
    }

    @Test
    void aDetachedIngressIsForgottenAndNotAnswered() {
        Invoke call = call(SIGNUP_RUN, "ingress-a");
        machine.apply(call, now);
        int storedBytes = storedBytes(call.invocationId());
        machine.apply(new Attach(call.invocationId(), new ReplyTo("ingress-b", nextRequest())), now + 1);
        assertThat(storedBytes(call.invocationId())).isGreaterThan(storedBytes);

        machine.apply(new Detach(call.invocationId(), "ingress-b"), now + 2);
        assertThat(storedBytes(call.invocationId())).as("back to its size before").isEqualTo(storedBytes);
        machine.apply(new Detach(call.invocationId(), "ingress-a"), now + 3);
        assertThat(state.invocation(call.invocationId()).waitingIngresses()).isEmpty();
        machine.apply(new Detach(call.invocationId(), "ingress-unknown"), now + 3);
        machine.apply(new Detach(InvocationIds.forSubmission(Target.service("Greeter", "greet"), "none"),
                "ingress-a"), now + 3);
        assertThat(effects.rejections).as("a detach from nobody, or for nothing, is harmless").isEmpty();

        machine.apply(new Completion(call.invocationId(), 1, ok()), now + 4);
        assertThat(effects.replies).isEmpty();
    }

    @Test
    void anAttachAfterADetachInTheLogWaitsAgain() {
        Invoke call = call(SIGNUP_RUN, "ingress-a");
        machine.apply(call, now);
        machine.apply(new Detach(call.invocationId(), "ingress-a"), now + 1);
        machine.apply(new Attach(call.invocationId(), new ReplyTo("ingress-a", nextRequest())), now + 2);

        machine.apply(new Completion(call.invocationId(), 1, ok()), now + 3);
        assertThat(effects.replyIngresses).containsExactly("ingress-a");
    }

    @Test
    void pastTheCapTheIngressThatWaitedLongestIsForgotten() {
        Invoke call = call(SIGNUP_RUN, "ingress-0");
        machine.apply(call, now);
        int ingresses = InvocationState.MAX_WAITING_INGRESSES + 36;
        for (int i = 1; i < ingresses; i++) {
            machine.apply(new Attach(call.invocationId(), new ReplyTo("ingress-" + i, nextRequest())), now + 1);
        }
        List<String> waiting = state.invocation(call.invocationId()).waitingIngresses();
        assertThat(waiting).hasSize(InvocationState.MAX_WAITING_INGRESSES)
                .startsWith("ingress-36").endsWith("ingress-" + (ingresses - 1));
    }

    @Test
    void theSubmissionDeliveredAgainIsNotAnsweredAsASecondRun() {
        Invoke call = call(SIGNUP_RUN, "ingress-a");
        machine.apply(call, now);
        machine.apply(call, now + 1);
        assertThat(effects.replies).as("the same request, already waiting").isEmpty();

        Invoke another = call(SIGNUP_RUN, "ingress-a");
        machine.apply(another, now + 2);
        Reply refused = single(effects.takeReplies());
        assertThat(refused.requestId()).as("another request of the same ingress").isEqualTo(another.replyTo().requestId());
        assertThat(refused.outcome().failure().code()).isEqualTo(409);
    }

    @Test
    void requestsStoredAsWaitersBeforeAnUpgradeAreStillAnsweredOneByOne() {
        Invoke call = call(SIGNUP_RUN, "ingress-a");
        machine.apply(call, now);
        String stored = new String(state.invocations.get(call.invocationId().toString()), StandardCharsets.UTF_8);
        assertThat(stored).doesNotContain("\"waiters\"");
        // The record as an earlier Ferry wrote it: every waiting request in a list.
        String older = stored.replace("\"waitingIngresses\":[\"ingress-a\"]",
                "\"waiters\":[{\"ingressId\":\"ingress-old\",\"requestId\":\"r-1\"},"
                        + "{\"ingressId\":\"ingress-old\",\"requestId\":\"r-2\"}]");
        assertThat(older).isNotEqualTo(stored);
        state.invocations.put(call.invocationId().toString(), older.getBytes(StandardCharsets.UTF_8));

        machine.apply(new Completion(call.invocationId(), 1, ok()), now + 1);
        List<Reply> replies = effects.takeReplies();
        assertThat(replies).extracting(Reply::requestId).containsExactly("r-1", "r-2");
        assertThat(replies).allSatisfy(reply -> assertThat(reply.kind()).isEqualTo(Reply.Kind.RESULT));
    }

    // ---- inboxes

    @Test
    void pastTheInboxCapASubmissionIsRefusedWith429AndTheQueuedOnesStillRunInOrder() {
        Invoke holder = call(add("k"), "ingress-a");
        machine.apply(holder, now);
        List<Invoke> queued = IntStream.range(0, MAX_INBOX).mapToObj(i -> call(add("k"), "ingress-a")).toList();
        queued.forEach(invoke -> machine.apply(invoke, now + 1));
        assertThat(dispatchedIds()).containsExactly(holder.invocationId());

        Invoke tooMany = call(add("k"), "ingress-a");
        machine.apply(tooMany, now + 2);
        Reply refused = single(effects.takeReplies());
        assertThat(refused.kind()).isEqualTo(Reply.Kind.REJECTED);
        assertThat(refused.requestId()).isEqualTo(tooMany.replyTo().requestId());
        assertThat(refused.outcome().failure().code()).isEqualTo(429);
        assertThat(refused.outcome().failure().message()).contains("Counter/k", "full", "3");
        assertThat(state.invocation(tooMany.invocationId())).as("nothing kept of it").isNull();
        assertThat(state.input(tooMany.invocationId())).isNull();

        Invoke fromProducer = send(add("k"), null);
        machine.apply(fromProducer, now + 2);
        assertThat(effects.rejections).singleElement().asString().contains("inbox of Counter/k is full");

        Invoke otherKey = call(add("other"), "ingress-a");
        machine.apply(otherKey, now + 2);
        assertThat(dispatchedIds()).as("other keys are not affected").containsExactly(otherKey.invocationId());

        for (Invoke next : queued) {
            InvocationId running = state.inbox("Counter/k").running();
            machine.apply(new Completion(running, 1, ok()), now + 3);
            assertThat(dispatchedIds()).containsExactly(next.invocationId());
        }
        machine.apply(new Completion(queued.get(MAX_INBOX - 1).invocationId(), 1, ok()), now + 4);
        assertThat(state.inbox("Counter/k")).isNull();
        assertThat(state.inboxEntries).isEmpty();

        Invoke later = call(add("k"), "ingress-a");
        machine.apply(later, now + 5);
        assertThat(dispatchedIds()).as("room again").containsExactly(later.invocationId());
    }

    @Test
    void aDelayedSendIsQueuedWhenItsTimeComesEvenPastTheCap() {
        Invoke holder = call(add("k"), "ingress-a");
        machine.apply(holder, now);
        IntStream.range(0, MAX_INBOX).forEach(i -> machine.apply(call(add("k"), "ingress-a"), now));
        Invoke delayed = send(add("k"), now + 1_000);
        machine.apply(delayed, now);
        machine.fireDueTimers(now + 1_000);
        assertThat(state.invocation(delayed.invocationId()).status()).isEqualTo(InvocationStatus.INBOXED);
        assertThat(state.inbox("Counter/k").waiting()).isEqualTo(MAX_INBOX + 1);
    }

    @Test
    void theInboxHeadStaysTheSameSizeHoweverLongTheQueue() {
        StateMachine roomy = new StateMachine(state, effects, POLICIES, Duration.ofSeconds(10),
                "ferry.results", 10_000);
        roomy.apply(call(add("k"), "ingress-a"), now);
        roomy.apply(call(add("k"), "ingress-a"), now);
        int headBytes = state.inboxes.get("Counter/k").length;
        for (int i = 0; i < 2_000; i++) {
            roomy.apply(call(add("k"), "ingress-a"), now);
        }
        assertThat(state.inboxes.get("Counter/k").length).as("a few digits more").isLessThanOrEqualTo(headBytes + 8);
        assertThat(state.inboxEntries).hasSize(2_001);
    }

    @Test
    void cancellingOrKillingAQueuedOneTakesItOutAndKeepsTheOrderOfTheRest() {
        Invoke holder = call(add("k"), "ingress-a");
        Invoke first = call(add("k"), "ingress-a");
        Invoke second = call(add("k"), "ingress-a");
        Invoke third = call(add("k"), "ingress-a");
        List.of(holder, first, second, third).forEach(invoke -> machine.apply(invoke, now));
        effects.takeDispatches();

        machine.apply(new Cancel(first.invocationId(), ADMIN), now + 1);
        machine.apply(new Kill(third.invocationId(), ADMIN), now + 1);
        assertThat(state.invocation(first.invocationId()).outcome().failure()).isEqualTo(new Failure(409, "Cancelled"));
        assertThat(state.invocation(third.invocationId()).outcome().failure()).isEqualTo(new Failure(409, "killed"));
        assertThat(state.inbox("Counter/k").waiting()).isEqualTo(1);
        assertThat(state.inboxEntries).hasSize(1);
        assertThat(dispatchedIds()).isEmpty();
        assertThat(effects.takeReplies()).extracting(Reply::kind).containsOnly(Reply.Kind.INVOCATION_RESULT,
                Reply.Kind.DONE);

        // Room for two more behind the one left.
        Invoke fourth = call(add("k"), "ingress-a");
        Invoke fifth = call(add("k"), "ingress-a");
        machine.apply(fourth, now + 2);
        machine.apply(fifth, now + 2);
        assertThat(effects.takeReplies()).isEmpty();

        machine.apply(new Completion(holder.invocationId(), 1, ok()), now + 3);
        assertThat(dispatchedIds()).containsExactly(second.invocationId());
        machine.apply(new Completion(second.invocationId(), 1, ok()), now + 4);
        assertThat(dispatchedIds()).containsExactly(fourth.invocationId());
        machine.apply(new Completion(fourth.invocationId(), 1, ok()), now + 5);
        assertThat(dispatchedIds()).containsExactly(fifth.invocationId());
    }

    @Test
    void anInboxStoredAsOneListBeforeAnUpgradeIsReadAndMovedToEntries() {
        Invoke holder = call(add("k"), "ingress-a");
        Invoke first = call(add("k"), "ingress-a");
        Invoke second = call(add("k"), "ingress-a");
        Invoke third = call(add("k"), "ingress-a");
        List.of(holder, first, second, third).forEach(invoke -> machine.apply(invoke, now));
        effects.takeDispatches();
        // The inbox and the queued invocations as an earlier Ferry stored them.
        state.inboxEntries.clear();
        state.inboxes.put("Counter/k", ("{\"running\":\"" + holder.invocationId() + "\",\"queued\":[\""
                + first.invocationId() + "\",\"" + second.invocationId() + "\",\"" + third.invocationId() + "\"]}")
                .getBytes(StandardCharsets.UTF_8));
        for (Invoke queued : List.of(first, second, third)) {
            String json = new String(state.invocations.get(queued.invocationId().toString()), StandardCharsets.UTF_8);
            state.invocations.put(queued.invocationId().toString(),
                    json.replaceAll(",\"inboxSequence\":\\d+", "").getBytes(StandardCharsets.UTF_8));
            assertThat(state.invocation(queued.invocationId()).inboxSequence()).isNull();
        }
        assertThat(state.inbox("Counter/k").waiting()).isEqualTo(3);

        machine.apply(new Cancel(second.invocationId(), ADMIN), now + 1);
        assertThat(new String(state.inboxes.get("Counter/k"), StandardCharsets.UTF_8)).doesNotContain("queued");
        assertThat(state.inbox("Counter/k").waiting()).isEqualTo(2);

        machine.apply(new Completion(holder.invocationId(), 1, ok()), now + 2);
        assertThat(dispatchedIds()).containsExactly(first.invocationId());
        machine.apply(new Completion(first.invocationId(), 1, ok()), now + 3);
        assertThat(dispatchedIds()).containsExactly(third.invocationId());
        machine.apply(new Completion(third.invocationId(), 1, ok()), now + 4);
        assertThat(state.inbox("Counter/k")).isNull();
        assertThat(state.inboxEntries).isEmpty();
    }

    // ---- helpers

    private int storedBytes(InvocationId invocationId) {
        return state.invocations.get(invocationId.toString()).length;
    }

    private static Target add(String key) {
        return new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, key);
    }

    private List<InvocationId> dispatchedIds() {
        return effects.takeDispatches().stream().map(Dispatch::invocationId).toList();
    }

    private String nextRequest() {
        return "r" + (++requests);
    }

    /** A call: a workflow run's id is its workflow id's; an object call's is new each time. */
    private Invoke call(Target target, String ingressId) {
        return new Invoke(InvocationIds.forSubmission(target, null), target, null, "application/json",
                List.of(), Payload.ofUtf8("1"), null, null, false, new ReplyTo(ingressId, nextRequest()), false, now,
                null);
    }

    private Invoke idempotentCall(Target target, String idempotencyKey) {
        return new Invoke(InvocationIds.forSubmission(target, idempotencyKey), target, idempotencyKey,
                "application/json", List.of(), Payload.ofUtf8("1"), null, null, false,
                new ReplyTo("ingress-a", nextRequest()), false, now, null);
    }

    /** A producer's send (nobody waits for an answer). */
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
