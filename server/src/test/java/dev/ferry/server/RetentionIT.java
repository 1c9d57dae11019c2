package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Delays and retention on wall-clock time, with per-service settings changed through the admin API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionIT {
    private FerryHarness ferry;
    private ExampleService example;
    private Http ingress;
    private Http admin;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        example = ferry.registerExample();
        ingress = ferry.ingress();
        admin = ferry.admin();
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @Test
    void anIdempotencyKeyIsForgottenWhenItsShortenedRetentionEndsAndARepeatRunsAnew() {
        Http.Response patched = admin.method("PATCH", "/services/Greeter",
                "{\"idempotency_retention\":\"2s\",\"journal_retention\":\"2s\"}", "content-type", "application/json");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.body()).contains("\"idempotency_retention\":\"2s\"", "\"journal_retention\":\"2s\"");
        assertThat(admin.get("/services/Greeter").body()).contains("\"idempotency_retention\":\"2s\"");

        String body = "{\"name\":\"Ret\",\"tag\":\"ret-1\"}";
        Http.Response first = ingress.postJson("/Greeter/greet", body, "idempotency-key", "ret-1");
        Http.Response replay = ingress.postJson("/Greeter/greet", body, "idempotency-key", "ret-1");
        assertThat(replay.header("x-restate-id")).isEqualTo(first.header("x-restate-id"));
        OffsetDateTime expires = OffsetDateTime.parse(replay.header("idempotency-expires"));
        assertThat(Duration.between(OffsetDateTime.now(), expires)).isBetween(Duration.ZERO, Duration.ofSeconds(3));
        assertThat(example.executions("greet:ret-1")).isEqualTo(1);

        // Nothing else happens on the log meanwhile: only the wall clock ends the retention.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                ingress.get("/restate/invocation/Greeter/greet/ret-1/output").status() == 404);

        Http.Response again = ingress.postJson("/Greeter/greet", body, "idempotency-key", "ret-1");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("idempotency-expires")).as("a fresh run, not a replay").isNull();
        assertThat(example.executions("greet:ret-1")).isEqualTo(2);
    }

    @Test
    void aWorkflowIdCanRunAgainOnceItsCompletionRetentionEnds() {
        Http.Response patched = admin.method("PATCH", "/services/Signup",
                "{\"workflow_completion_retention\":\"2s\",\"journal_retention\":\"2s\"}",
                "content-type", "application/json");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);

        ingress.postJson("/Signup/ret-wf/approve", "\"yes\"");
        assertThat(ingress.postJson("/Signup/ret-wf/run", "{}").status()).isEqualTo(200);
        assertThat(ingress.postJson("/Signup/ret-wf/run", "{}").status()).isEqualTo(409);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                ingress.get("/restate/workflow/Signup/ret-wf/output").status() == 404);
        assertThat(ingress.postJson("/Signup/ret-wf/run", "{}").status()).isEqualTo(200);
        assertThat(example.executions("run:ret-wf")).isEqualTo(2);
    }

    @Test
    void aDelayedSendStartsAtItsTimeAndNotBefore() throws IOException {
        Http.Response sent = ingress.postJson("/Greeter/greet/send?delay=1500ms", "{\"name\":\"D\",\"tag\":\"delay-1\"}");
        assertThat(sent.status()).isEqualTo(202);
        JsonNode accepted = Json.MAPPER.readTree(sent.body());
        long executionTime = OffsetDateTime.parse(accepted.get("executionTime").asText()).toInstant().toEpochMilli();

        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:delay-1") == 1);
        long lateness = example.firstStart("greet:delay-1") - executionTime;
        assertThat(lateness).as("started %d ms after its execution time", lateness).isBetween(0L, 1_000L);
    }

    @Test
    void settingsAreCheckedBeforeTheyAreStored() {
        Http.Response badDuration = admin.method("PATCH", "/services/Greeter", "{\"idempotency_retention\":\"soon\"}",
                "content-type", "application/json");
        assertThat(badDuration.status()).isEqualTo(400);
        assertThat(badDuration.body()).contains("invalid idempotency_retention");

        Http.Response unknown = admin.method("PATCH", "/services/Greeter", "{\"retention\":\"1h\"}",
                "content-type", "application/json");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown setting 'retention'");

        Http.Response workflowOnly = admin.method("PATCH", "/services/Greeter",
                "{\"workflow_completion_retention\":\"1h\"}", "content-type", "application/json");
        assertThat(workflowOnly.status()).isEqualTo(400);

        Http.Response noService = admin.method("PATCH", "/services/Nope", "{}", "content-type", "application/json");
        assertThat(noService.status()).isEqualTo(404);

        Http.Response notJson = admin.method("PATCH", "/services/Greeter", "{", "content-type", "application/json");
        assertThat(notJson.status()).isEqualTo(400);
    }

    @Test
    void maxWaitOnAServiceAnswersASlowCallWith202AndTheAttachUrl() {
        admin.method("PATCH", "/services/Greeter", "{\"max_wait\":\"1s\"}", "content-type", "application/json");
        assertThat(admin.get("/services/Greeter").body()).contains("\"max_wait\":\"1s\"");
        try {
            Http.Response running = ingress.postJson("/Greeter/slow", "{\"ms\":2500,\"tag\":\"wait-1\"}");
            assertThat(running.status()).isEqualTo(202);
            String id = running.header("x-restate-id");
            assertThat(running.body()).isEqualTo("{\"invocationId\":\"" + id + "\",\"status\":\"Running\"}");
            assertThat(running.header("location")).isEqualTo("/restate/invocation/" + id + "/attach");

            Http.Response attached = ingress.get(running.header("location"), "prefer", "wait=30");
            assertThat(attached.status()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo("{\"slept\":2500,\"tag\":\"wait-1\"}");
        } finally {
            admin.method("PATCH", "/services/Greeter", "{\"max_wait\":null}", "content-type", "application/json");
        }
        assertThat(admin.get("/services/Greeter").body()).doesNotContain("max_wait");
    }
}
