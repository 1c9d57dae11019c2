package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Durability across a restart of the whole stack: broker, processor, dispatcher and ingress. */
class RestartIT {
    private FerryHarness ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void invocationsInFlightAndTimersSurviveAStopAndStartOfTheWholeStack() throws Exception {
        ferry = FerryHarness.embedded().start();
        ExampleService example = ferry.registerExample();
        String body = "{\"ms\":4000,\"tag\":\"restart\"}";
        Http.Response delayed = ferry.ingress().postJson("/Greeter/greet/send?delay=6s", "{\"tag\":\"timer\"}");
        long executionTime = OffsetDateTime.parse(
                Json.MAPPER.readTree(delayed.body()).get("executionTime").asText()).toInstant().toEpochMilli();

        CompletableFuture<Http.Response> cutOff =
                ferry.ingress().postJsonAsync("/Greeter/slow", body, "idempotency-key", "restart-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:restart") == 1);

        ferry.stop(); // mid-call: the handler is still sleeping, its dispatcher is gone
        // The waiting caller is told the ingress is going away (or loses the connection): never a result.
        Http.Response told = cutOff.exceptionally(e -> null).get();
        if (told != null) {
            assertThat(told.status()).isEqualTo(503);
            assertThat(told.body()).contains("the ingress is shutting down");
        }

        ferry.start(); // same data directory: the broker's log, the processor's state, the registry
        Http.Response resumed = ferry.ingress().postJson("/Greeter/slow", body, "idempotency-key", "restart-1");

        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        assertThat(resumed.body()).isEqualTo("{\"slept\":4000,\"tag\":\"restart\"}");
        assertThat(example.executions("slow:restart"))
                .as("run again once its lease lapsed, since the first run's outcome was lost with its dispatcher")
                .isEqualTo(2);
        assertThat(ferry.admin().get("/services/Greeter").status()).as("the registry survived").isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> example.executions("greet:timer") == 1);
        assertThat(example.firstStart("greet:timer")).as("the durable timer fired, not before its time")
                .isGreaterThanOrEqualTo(executionTime);
    }
}
