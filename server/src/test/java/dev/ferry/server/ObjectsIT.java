package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Virtual objects, workflows and per-service retry settings end to end: exclusive handlers of one key run one at a
 * time in arrival order, shared handlers do not wait for the key, and the retry policy, {@code Retry-After} and the
 * inactivity timeout decide when a failed attempt runs again (record section h).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectsIT {
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
        // Every partition answers once before anything is timed.
        for (int i = 0; i < 8; i++) {
            assertThat(ingress.postJson("/Counter/warm-" + i + "/get", "").status()).isEqualTo(200);
        }
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @Test
    void exclusiveCallsOfOneKeyRunOneAtATimeAndOfDifferentKeysTogether() {
        String key = unique("same");
        long start = System.nanoTime();
        List<CompletableFuture<Http.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(ingress.postJsonAsync("/Counter/" + key + "/add", "1"));
        }
        List<Http.Response> answers = calls.stream().map(CompletableFuture::join).toList();
        long sameKeyMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));
        assertThat(answers).extracting(Http.Response::body).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
        assertThat(sameKeyMillis).as("five 200 ms adds on one key").isBetween(950L, 3_999L);
        assertThat(ingress.postJson("/Counter/" + key + "/get", "").body()).isEqualTo("5");

        start = System.nanoTime();
        calls.clear();
        for (int i = 0; i < 5; i++) {
            calls.add(ingress.postJsonAsync("/Counter/" + unique("diff" + i) + "/add", "1"));
        }
        answers = calls.stream().map(CompletableFuture::join).toList();
        long differentKeysMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(answers).allSatisfy(r -> {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("1");
        });
        assertThat(differentKeysMillis).as("five 200 ms adds on five keys").isLessThan(1_500L)
                .isLessThan(sameKeyMillis);
    }

    @Test
    void aSharedGetDoesNotWaitForTheKeysQueueOfExclusiveCalls() {
        String key = unique("queue");
        for (int i = 0; i < 5; i++) {
            assertThat(ingress.postJson("/Counter/" + key + "/add/send", "1").status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> example.executions("add:" + key) >= 1);

        long start = System.nanoTime();
        Http.Response get = ingress.postJson("/Counter/" + key + "/get", "");
        long getMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(get.status()).isEqualTo(200);
        assertThat(Long.parseLong(get.body())).as("the committed state, before the queue drained").isLessThan(5);
        assertThat(getMillis).as("a shared get while four adds still wait").isLessThan(500L);
        assertThat(example.executions("add:" + key)).as("the queue is still draining").isLessThan(5);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingress.postJson("/Counter/" + key + "/get", "").body().equals("5"));
    }

    @Test
    void exclusiveCallsOfOneKeyRunInArrivalOrder() {
        String key = unique("order");
        List<String> ids = new ArrayList<>();
        for (long body = 1; body <= 10_000; body *= 10) {
            Http.Response sent = ingress.postJson("/Counter/" + key + "/add/send", Long.toString(body));
            assertThat(sent.status()).isEqualTo(202);
            ids.add(sent.header("x-restate-id"));
        }
        List<String> totals = ids.stream()
                .map(id -> ingress.get("/restate/invocation/" + id + "/attach"))
                .map(r -> r.status() + " " + r.body())
                .toList();
        assertThat(totals).containsExactly("200 1", "200 11", "200 111", "200 1111", "200 11111");
    }

    @Test
    void aRetryPolicyThatPausesAfterTwoAttemptsLeavesTheInvocationForAnOperatorToResume() {
        Http.Response patched = patchGreeter("{\"retry_policy\":{\"initial_interval\":\"100ms\","
                + "\"max_attempts\":2,\"on_max_attempts\":\"Pause\"}}");
        try {
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            JsonNode policy = json(admin.get("/services/Greeter").body()).get("retry_policy");
            assertThat(policy.get("initial_interval").asText()).isEqualTo("100ms");
            assertThat(policy.get("max_attempts").asInt()).isEqualTo(2);
            assertThat(policy.get("on_max_attempts").asText()).isEqualTo("Pause");

            String flakyId = unique("pause");
            Http.Response sent = ingress.postJson("/Greeter/flaky/send", "{\"id\":\"" + flakyId + "\"}");
            assertThat(sent.status()).isEqualTo(202);
            String id = sent.header("x-restate-id");

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> view(id).path("status").asText().equals("paused"));
            JsonNode paused = view(id);
            assertThat(paused.get("attempts").asInt()).isEqualTo(2);
            assertThat(paused.get("last_failure").get("code").asInt()).isEqualTo(500);
            assertThat(paused.get("last_failure").get("message").asText())
                    .isEqualTo("transient failure #2 for id=" + flakyId);
            assertThat(paused.has("next_retry_at")).as("a paused invocation has no next retry").isFalse();
            assertThat(example.executions("flaky:" + flakyId)).isEqualTo(2);
            assertThat(ingress.get("/restate/invocation/" + id + "/output").status())
                    .as("paused, not completed").isEqualTo(470);

            Http.Response resumed = admin.method("PATCH", "/invocations/" + id + "/resume", null);
            assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);

            Http.Response attached = ingress.get("/restate/invocation/" + id + "/attach");
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).contains("\"attempts\":3");
            assertThat(view(id).get("status").asText()).isEqualTo("completed");

            Http.Response again = admin.method("PATCH", "/invocations/" + id + "/resume", null);
            assertThat(again.status()).as("a completed invocation cannot be resumed").isEqualTo(409);
        } finally {
            patchGreeter("{\"retry_policy\":null}");
        }
        JsonNode reset = json(admin.get("/services/Greeter").body()).get("retry_policy");
        assertThat(reset.get("initial_interval").asText()).isEqualTo("500ms");
        assertThat(reset.get("on_max_attempts").asText()).isEqualTo("Pause");
    }

    @Test
    void aRetryPolicyThatKillsAfterOneAttemptAnswersTheCallerWithTheFailure() {
        Http.Response patched = patchGreeter("{\"retry_policy\":{\"max_attempts\":1,\"on_max_attempts\":\"Kill\"}}");
        try {
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            String flakyId = unique("kill");
            Http.Response response = ingress.postJson("/Greeter/flaky", "{\"id\":\"" + flakyId + "\"}");

            assertThat(response.status()).isEqualTo(500);
            assertThat(response.body()).isEqualTo("{\"code\":500,\"message\":\"transient failure #1 for id="
                    + flakyId + "\",\"source\":\"invocation\"}");
            assertThat(response.header("x-restate-error-source")).isEqualTo("invocation");
            assertThat(example.executions("flaky:" + flakyId)).isEqualTo(1);
        } finally {
            patchGreeter("{\"retry_policy\":null}");
        }
    }

    @Test
    void aRetryAfterHeaderPostponesTheNextAttempt() {
        String busyId = unique("busy");
        long start = System.nanoTime();
        Http.Response response = ingress.postJson("/Greeter/busy", "{\"id\":\"" + busyId + "\"}");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).contains("\"attempts\":2");
        assertThat(example.executions("busy:" + busyId)).isEqualTo(2);
        assertThat(elapsedMillis).as("503 with Retry-After: 2, then a second attempt").isBetween(2_000L, 6_000L);
    }

    @Test
    void anAttemptSilentForLongerThanTheInactivityTimeoutIsAbortedAndRetried() {
        Http.Response patched = patchGreeter("{\"inactivity_timeout\":\"1s\"}");
        try {
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            assertThat(json(admin.get("/services/Greeter").body()).get("inactivity_timeout").asText())
                    .isEqualTo("1s");

            String hangId = unique("hang");
            long start = System.nanoTime();
            Http.Response response = ingress.postJson("/Greeter/hang", "{\"id\":\"" + hangId + "\",\"ms\":30000}");
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).contains("\"attempts\":2");
            assertThat(elapsedMillis).as("the first attempt aborted after 1 s, then retried")
                    .isBetween(1_000L, 6_000L);
        } finally {
            patchGreeter("{\"inactivity_timeout\":null}");
        }
        assertThat(json(admin.get("/services/Greeter").body()).get("inactivity_timeout").asText())
                .isNotEqualTo("1s");
    }

    @Test
    void aWaitingWorkflowRunLeavesItsSharedHandlersFree() {
        String workflowId = unique("wf");
        CompletableFuture<Http.Response> run =
                ingress.postJsonAsync("/Signup/" + workflowId + "/run", "{\"email\":\"o@example.com\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + workflowId) == 1);

        long start = System.nanoTime();
        Http.Response status = ingress.postJson("/Signup/" + workflowId + "/status", "{}");
        long statusMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body()).isEqualTo("{\"input\":{\"email\":\"o@example.com\"},\"status\":\"waiting\"}");
        assertThat(statusMillis).as("a shared handler while the run holds the key").isLessThan(500L);
        assertThat(run).as("the run still waits for approval").isNotDone();

        JsonNode listed = json(admin.get("/invocations?service=Signup&key=" + workflowId + "&status=running").body());
        assertThat(listed.get("invocations")).hasSize(1);
        assertThat(listed.get("invocations").get(0).get("handler").asText()).isEqualTo("run");

        assertThat(ingress.postJson("/Signup/" + workflowId + "/approve", "\"ok\"").status()).isEqualTo(200);
        Http.Response result = run.join();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.body()).isEqualTo("{\"approved\":\"ok\"}");
    }

    private Http.Response patchGreeter(String settings) {
        return admin.method("PATCH", "/services/Greeter", settings, "content-type", "application/json");
    }

    private JsonNode view(String id) {
        Http.Response response = admin.get("/invocations/" + id);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return json(response.body());
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
