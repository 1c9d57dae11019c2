package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.replies.Reply;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Requests grouped by invocation: one result for all, first answer wins, a detach when the last one walks away. */
class WaitersTest {
    private static final InvocationId INVOCATION = InvocationId.random(1);
    private static final Outcome DONE = Outcome.success(200, "application/json", Payload.ofUtf8("1"));

    private final Waiters waiters = new Waiters(3);
    private final List<String> log = new CopyOnWriteArrayList<>();

    private CompletableFuture<Reply> waitFor(String requestId) {
        return waiters.waitFor(INVOCATION, requestId, () -> log.add("attach " + requestId),
                () -> log.add("detach"));
    }

    @Test
    void theInvocationsResultAnswersEveryRequestWaitingForIt() {
        CompletableFuture<Reply> a = waitFor("a");
        CompletableFuture<Reply> b = waitFor("b");
        waiters.deliver(Reply.invocationResult(INVOCATION, DONE));

        assertThat(a.join().requestId()).isEqualTo("a");
        assertThat(b.join().requestId()).isEqualTo("b");
        assertThat(List.of(a.join(), b.join())).allSatisfy(reply -> {
            assertThat(reply.kind()).isEqualTo(Reply.Kind.RESULT);
            assertThat(reply.outcome()).isEqualTo(DONE);
        });
        assertThat(waiters.size()).isZero();
        assertThat(log).as("the processor forgot this instance itself").containsExactly("attach a", "attach b");
    }

    @Test
    void anAnswerToOneRequestGoesToItAloneAndTheFirstAnswerWins() {
        CompletableFuture<Reply> a = waitFor("a");
        CompletableFuture<Reply> b = waitFor("b");
        waiters.deliver(Reply.rejected("a", INVOCATION, 409, "the workflow method was already invoked"));
        assertThat(a.join().kind()).isEqualTo(Reply.Kind.REJECTED);
        assertThat(b).isNotDone();

        waiters.deliver(Reply.invocationResult(INVOCATION, DONE));
        assertThat(a.join().kind()).isEqualTo(Reply.Kind.REJECTED);
        assertThat(b.join().kind()).isEqualTo(Reply.Kind.RESULT);
        assertThat(waiters.waitingFor(INVOCATION)).isZero();
    }

    @Test
    void whenTheLastRequestStopsWaitingTheProcessorIsToldOnce() {
        CompletableFuture<Reply> a = waitFor("a");
        CompletableFuture<Reply> b = waitFor("b");
        a.cancel(false);
        assertThat(log).containsExactly("attach a", "attach b");
        b.cancel(false);
        b.cancel(false);
        assertThat(log).containsExactly("attach a", "attach b", "detach");
        assertThat(waiters.size()).isZero();

        // A request arriving afterwards attaches again, after the detach.
        CompletableFuture<Reply> c = waitFor("c");
        assertThat(log).containsExactly("attach a", "attach b", "detach", "attach c");
        waiters.deliver(Reply.invocationResult(INVOCATION, DONE));
        assertThat(c.join().requestId()).isEqualTo("c");
    }

    @Test
    void requestsThatAllGotTheirAnswersNeedNoDetach() {
        CompletableFuture<Reply> a = waitFor("a");
        waiters.deliver(Reply.rejected("a", INVOCATION, 422, "another request"));
        assertThat(a).isDone();
        assertThat(log).containsExactly("attach a");
    }

    @Test
    void pastTheCapARequestGets429AndNothingIsAppended() {
        waitFor("a");
        waitFor("b");
        CompletableFuture<Reply> c = waitFor("c");
        assertThatThrownBy(() -> waitFor("d"))
                .isInstanceOfSatisfying(ProcessorUnavailable.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.getMessage()).contains(INVOCATION.toString(), "at most 3");
                });
        assertThat(log).containsExactly("attach a", "attach b", "attach c");
        assertThat(waiters.waitingFor(INVOCATION)).isEqualTo(3);
        assertThat(waiters.waitFor(InvocationId.random(2), "e", () -> {}, () -> {}))
                .as("other invocations are not affected")
                .isNotDone();

        c.cancel(false);
        waitFor("d");
        assertThat(log).endsWith("attach d");
    }

    @Test
    void aRequestWhoseAppendFailsLeavesNoTrace() {
        assertThatThrownBy(() -> waiters.waitFor(INVOCATION, "a", () -> {
            throw new ProcessorUnavailable(503, "could not reach the command log");
        }, () -> log.add("detach"))).isInstanceOf(ProcessorUnavailable.class);
        assertThat(waiters.size()).isZero();
        assertThat(waiters.waitingFor(INVOCATION)).isZero();
        assertThat(log).isEmpty();
    }
}
