package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StateMachine#fail}: what the adapter does with an invocation when something about it cannot be processed. */
class FailingInvocationsTest {
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final Failure BROKEN = new Failure(500, "Ferry could not process it: broken");

    private final InMemoryState state = new InMemoryState();
    private final RecordingEffects effects = new RecordingEffects();
    private final Policies policies = new TestPolicies() {
        @Override
        public boolean publishResults(Target target) {
            return true;
        }
    };
    private final StateMachine machine = new StateMachine(state, effects, policies, Duration.ofSeconds(10),
            "ferry.results");

    private Invoke call(String requestId) {
        return new Invoke(InvocationIds.forSubmission(GREET, "k"), GREET, "k", null, List.of(),
                Payload.EMPTY, null, null, false, new ReplyTo("ingress-1", requestId), false, 0, null);
    }

    @Test
    void aRunningInvocationEndsWithTheFailureForEveryWaiterAndItsAttemptIsAborted() {
        Invoke call = call("req-1");
        machine.apply(call, 1_000);
        machine.apply(new Attach(call.invocationId(), new ReplyTo("ingress-2", "req-2")), 1_001);

        assertThat(machine.fail(call.invocationId(), BROKEN, new ReplyTo("ingress-2", "req-2"), 1_002)).isTrue();

        // Waiters are ingress instances: each gets the invocation's result once, for all its waiting requests.
        assertThat(effects.replyIngresses).containsExactly("ingress-1", "ingress-2");
        List<Reply> replies = effects.takeReplies();
        assertThat(replies).allSatisfy(reply -> {
            assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
            assertThat(reply.invocationId()).isEqualTo(call.invocationId());
            assertThat(reply.outcome().failure()).isEqualTo(BROKEN);
        });
        assertThat(effects.aborts).hasSize(1);
        assertThat(state.invocation(call.invocationId()).status()).isEqualTo(InvocationStatus.COMPLETED);
        assertThat(state.invocation(call.invocationId()).outcome().failure()).isEqualTo(BROKEN);
    }

    @Test
    void aCallerWhoseInvocationDoesNotExistYetIsStillAnswered() {
        assertThat(machine.fail(InvocationIds.forSubmission(GREET, "nothing"), BROKEN,
                new ReplyTo("ingress-1", "req-9"), 1_000)).isFalse();
        Reply reply = effects.takeReplies().getFirst();
        assertThat(reply.requestId()).isEqualTo("req-9");
        assertThat(reply.kind()).isEqualTo(Reply.Kind.REJECTED);
        assertThat(reply.outcome().failure()).isEqualTo(BROKEN);
    }

    @Test
    void whenEndingItThrowsToo_ItsWaitersStillLearnTheFailureAndTheReasonIsLeft() {
        Invoke call = call("req-1");
        machine.apply(call, 1_000);
        effects.publishFailure = new IllegalStateException("cannot publish");

        assertThat(machine.fail(call.invocationId(), BROKEN, call.replyTo(), 1_001)).isFalse();

        assertThat(effects.replyIngresses).containsExactly("ingress-1");
        Reply reply = effects.takeReplies().getFirst();
        assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(reply.invocationId()).isEqualTo(call.invocationId());
        assertThat(reply.outcome().failure()).isEqualTo(BROKEN);
        assertThat(effects.unprocessable).singleElement().asString().contains("cannot publish");
    }
}
