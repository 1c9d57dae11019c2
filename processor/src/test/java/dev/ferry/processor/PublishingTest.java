package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.results.InvocationResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Results and failures published on Kafka when a service asks for it. */
class PublishingTest {
    private static final Target GREET = Target.service("Greeter", "greet");

    private final InMemoryState state = new InMemoryState();
    private final RecordingEffects effects = new RecordingEffects();
    private boolean publishResults;
    private boolean deadLetterFailures;
    private final StateMachine machine = new StateMachine(state, effects, new TestPolicies() {
        @Override
        public boolean publishResults(Target target) {
            return publishResults;
        }

        @Override
        public boolean deadLetterFailures(Target target) {
            return deadLetterFailures;
        }
    }, Duration.ofSeconds(10), "ferry.results");

    @Test
    void nothingIsPublishedUnlessAsked() {
        complete(send(null), Outcome.failure(400, "no"));
        assertThat(effects.published).isEmpty();
        assertThat(effects.failed).isEmpty();
    }

    @Test
    void aCompletedInvocationIsPublishedOnTheResultsTopicWhenItsServiceAsks() {
        publishResults = true;
        Invoke send = send(null);
        complete(send, Outcome.success(200, "application/json", Payload.ofUtf8("\"hi\"")));

        assertThat(effects.publishedTopics).containsExactly("ferry.results");
        InvocationResult result = effects.published.get(0);
        assertThat(result.invocationId()).isEqualTo(send.invocationId());
        assertThat(result.status()).isEqualTo(InvocationResult.SUCCEEDED);
        assertThat(result.result().body().utf8()).isEqualTo("\"hi\"");
        assertThat(result.attempts()).isEqualTo(1);
    }

    @Test
    void aSubscriptionsResultTopicGetsItsInvocationsResultsRegardless() {
        complete(send("orders-results"), Outcome.failure(400, "bad order"));
        assertThat(effects.publishedTopics).containsExactly("orders-results");
        assertThat(effects.published.get(0).failure()).isEqualTo(new Failure(400, "bad order"));
    }

    @Test
    void aTerminalFailureIsDeadLetteredWithItsRequestWhenItsServiceAsks() {
        deadLetterFailures = true;
        Invoke send = send(null);
        complete(send, Outcome.failure(400, "bad"));
        assertThat(effects.failed).singleElement().satisfies(failed -> {
            assertThat(failed.invocationId()).isEqualTo(send.invocationId());
            assertThat(failed.failure()).isEqualTo(new Failure(400, "bad"));
            assertThat(failed.body().utf8()).isEqualTo("{\"order\":1}");
        });

        complete(send(null), Outcome.success(200, null, Payload.EMPTY));
        assertThat(effects.failed).as("successes are not dead letters").hasSize(1);
    }

    private void complete(Invoke send, Outcome outcome) {
        machine.apply(send, 1_000);
        machine.apply(new Completion(send.invocationId(), 1, outcome), 1_001);
    }

    private static Invoke send(String resultTopic) {
        return new Invoke(InvocationIds.forSubmission(GREET, null), GREET, null, "application/json",
                List.of(), Payload.ofUtf8("{\"order\":1}"), null, null, true, null, false, 1_000, resultTopic);
    }
}
