package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Managing invocations through the admin API, end to end: cancel, kill, purge, resume and the older
 * {@code DELETE ?mode=}, their errors, and what {@code GET /invocations} shows (record section i).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementIT {
    private static final String KILLED = "{\"code\":409,\"message\":\"killed\",\"source\":\"invocation\"}";
    private static final String CANCELLED = "{\"code\":409,\"message\":\"Cancelled\",\"source\":\"invocation\"}";
    private static final String NOT_FOUND = "{\"code\":404,\"message\":\"invocation not found\",\"source\":\"ingress\"}";

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
    void killingARunningCallAnswersItsCallerAndAttachedClients409Killed() throws Exception {
        String key = unique("kill-slow");
        CompletableFuture<Http.Response> caller = ingress.postJsonAsync("/Greeter/slow",
                "{\"ms\":8000,\"tag\":\"" + key + "\"}", "idempotency-key", key);
        String id = awaitRunning("Greeter", "slow", key);
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + key) == 1);
        CompletableFuture<Http.Response> attached = attachAsync(id);

        long killedAt = System.nanoTime();
        Http.Response kill = patch(id, "kill");
        assertThat(kill.status()).as(kill.toString()).isEqualTo(200);
        assertThat(kill.body()).isEmpty();

        Http.Response callerAnswer = caller.get(3, TimeUnit.SECONDS);
        Http.Response attachedAnswer = attached.get(3, TimeUnit.SECONDS);
        long answeredMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(answeredMillis).as("both answered soon after the kill, long before 8 s").isLessThan(2_500L);
        for (Http.Response answer : List.of(callerAnswer, attachedAnswer)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(409);
            assertThat(answer.body()).isEqualTo(KILLED);
            assertThat(answer.header("x-restate-id")).isEqualTo(id);
            assertThat(answer.header("x-restate-error-source")).isEqualTo("invocation");
        }

        Http.Response output = ingress.get("/restate/invocation/" + id + "/output");
        assertThat(output.status()).isEqualTo(409);
        assertThat(output.body()).isEqualTo(KILLED);
        assertThat(output.header("idempotency-expires")).isNotNull();

        Http.Response again = patch(id, "kill");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body())
                .isEqualTo("{\"message\":\"The invocation '" + id + "' was already completed.\",\"restate_code\":null}");
        Http.Response cancel = patch(id, "cancel");
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.body()).isEqualTo(again.body());

        Http.Response sameKey = ingress.postJson("/Greeter/slow", "{\"ms\":100,\"tag\":\"" + key + "\"}",
                "idempotency-key", key);
        assertThat(sameKey.status()).as("the same idempotency key replays the kill").isEqualTo(409);
        assertThat(sameKey.body()).isEqualTo(KILLED);
        assertThat(sameKey.header("x-restate-id")).isEqualTo(id);
        assertThat(example.executions("slow:" + key)).isEqualTo(1);
    }

    @Test
    void killingTheLockHolderOfAKeyHandsTheKeyToTheNextAndAKilledQueuedCallNeverRuns() throws Exception {
        String key = unique("k-kill");
        List<String> ids = new ArrayList<>();
        for (String body : List.of("1", "10", "100")) {
            Http.Response sent = ingress.postJson("/Counter/" + key + "/add/send", body);
            assertThat(sent.status()).isEqualTo(202);
            ids.add(sent.header("x-restate-id"));
        }
        List<CompletableFuture<Http.Response>> callers = ids.stream().map(this::attachAsync).toList();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> status(ids.get(0)).equals("running"));
        assertThat(status(ids.get(2))).isEqualTo("inboxed");

        assertThat(patch(ids.get(0), "kill").status()).isEqualTo(200);
        assertThat(patch(ids.get(2), "kill").status()).isEqualTo(200);

        Http.Response holder = callers.get(0).get(5, TimeUnit.SECONDS);
        assertThat(holder.status()).as(holder.toString()).isEqualTo(409);
        assertThat(holder.body()).isEqualTo(KILLED);
        Http.Response last = callers.get(2).get(5, TimeUnit.SECONDS);
        assertThat(last.status()).as(last.toString()).isEqualTo(409);
        assertThat(last.body()).isEqualTo(KILLED);
        assertThat(last.header("x-restate-id")).isEqualTo(ids.get(2));

        Http.Response next = callers.get(1).get(5, TimeUnit.SECONDS);
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
        // The example keeps the counter itself, so the killed holder's add may still have landed: 10 or 11.
        assertThat(next.body()).isIn("10", "11");

        JsonNode never = view(ids.get(2));
        assertThat(never.get("attempts").asInt()).as("the killed queued add never ran").isZero();
        assertThat(never.get("completion_result").asText()).isEqualTo("failure");
        assertThat(never.get("completion_failure").get("code").asInt()).isEqualTo(409);
        assertThat(never.get("completion_failure").get("message").asText()).isEqualTo("killed");
        assertThat(view(ids.get(1)).get("completion_result").asText()).isEqualTo("success");
        assertThat(example.executions("add:" + key)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> ingress.postJson("/Counter/" + key + "/get", "").status() == 200);
    }

    @Test
    void cancellingADelayedSendEndsItAtOnceAndItNeverRuns() {
        String tag = unique("cancel-delay");
        Http.Response sent = ingress.postJson("/Greeter/greet/send?delay=60s", "{\"name\":\"C\",\"tag\":\"" + tag + "\"}");
        assertThat(sent.status()).isEqualTo(202);
        String id = sent.header("x-restate-id");
        assertThat(status(id)).isEqualTo("scheduled");

        Http.Response cancel = patch(id, "cancel");
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        assertThat(cancel.body()).isEmpty();

        Http.Response output = ingress.get("/restate/invocation/" + id + "/output");
        assertThat(output.status()).isEqualTo(409);
        assertThat(output.body()).isEqualTo(CANCELLED);
        assertThat(output.header("x-restate-error-source")).isEqualTo("invocation");
        JsonNode view = view(id);
        assertThat(view.get("status").asText()).isEqualTo("completed");
        assertThat(view.get("attempts").asInt()).isZero();
        assertThat(view.get("completion_failure").get("message").asText()).isEqualTo("Cancelled");
        assertThat(example.executions("greet:" + tag)).isZero();
    }

    @Test
    void cancellingARunningCallAbortsItAndAnswersAttachedClients409Cancelled() throws Exception {
        String tag = unique("cancel-slow");
        Http.Response sent = ingress.postJson("/Greeter/slow/send", "{\"ms\":8000,\"tag\":\"" + tag + "\"}");
        String id = sent.header("x-restate-id");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + tag) == 1);
        assertThat(status(id)).isEqualTo("running");
        CompletableFuture<Http.Response> attached = attachAsync(id);

        long cancelledAt = System.nanoTime();
        Http.Response cancel = patch(id, "cancel");
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);

        Http.Response answer = attached.get(6, TimeUnit.SECONDS);
        long answeredMillis = (System.nanoTime() - cancelledAt) / 1_000_000;
        assertThat(answer.status()).as(answer.toString()).isEqualTo(409);
        assertThat(answer.body()).isEqualTo(CANCELLED);
        assertThat(answeredMillis).as("well before the handler's 8 s").isLessThan(4_000L);
        assertThat(view(id).get("completion_failure").get("message").asText()).isEqualTo("Cancelled");
    }

    @Test
    void purgingACompletedInvocationForgetsItAndItsIdempotencyKey() {
        String key = unique("purge-me");
        String body = "{\"name\":\"Purge\",\"tag\":\"" + key + "\"}";
        Http.Response first = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
        assertThat(first.status()).isEqualTo(200);
        String id = first.header("x-restate-id");

        Http.Response purge = patch(id, "purge");
        assertThat(purge.status()).as(purge.toString()).isEqualTo(200);
        assertThat(purge.body()).isEmpty();

        Http.Response byId = ingress.get("/restate/invocation/" + id + "/output");
        assertThat(byId.status()).isEqualTo(404);
        assertThat(byId.body()).isEqualTo(NOT_FOUND);
        Http.Response byKey = ingress.get("/restate/invocation/Greeter/greet/" + key + "/output");
        assertThat(byKey.status()).isEqualTo(404);
        assertThat(byKey.body()).isEqualTo(NOT_FOUND);
        assertThat(admin.get("/invocations/" + id).status()).isEqualTo(404);

        Http.Response again = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("x-restate-id")).as("idempotent ids are deterministic").isEqualTo(id);
        assertThat(again.header("idempotency-expires")).as("a fresh run, not a replay").isNull();
        assertThat(example.executions("greet:" + key)).isEqualTo(2);

        Http.Response purgeUnknown = patch(InvocationId.random(7).toString(), "purge");
        assertThat(purgeUnknown.status()).isEqualTo(404);
    }

    @Test
    void purgingARunningInvocationIs409NotYetCompleted() {
        String tag = unique("purge-running");
        Http.Response sent = ingress.postJson("/Greeter/slow/send", "{\"ms\":3000,\"tag\":\"" + tag + "\"}");
        String id = sent.header("x-restate-id");

        Http.Response purge = patch(id, "purge");
        assertThat(purge.status()).as(purge.toString()).isEqualTo(409);
        assertThat(purge.body())
                .isEqualTo("{\"message\":\"The invocation '" + id + "' is not yet completed.\",\"restate_code\":null}");
        assertThat(purge.header("content-type")).isEqualTo("application/json");
        assertThat(view(id).get("status").asText()).isIn("running", "scheduled", "inboxed");
        assertThat(patch(id, "kill").status()).isEqualTo(200);
    }

    @Test
    void theOlderDeleteFormKillsAndPurges() {
        String tag = unique("delete-kill");
        Http.Response sent = ingress.postJson("/Greeter/slow/send", "{\"ms\":5000,\"tag\":\"" + tag + "\"}");
        String id = sent.header("x-restate-id");

        Http.Response kill = admin.method("DELETE", "/invocations/" + id + "?mode=kill", null);
        assertThat(kill.status()).as(kill.toString()).isEqualTo(202);
        assertThat(kill.body()).isEmpty();
        Http.Response output = ingress.get("/restate/invocation/" + id + "/output");
        assertThat(output.status()).isEqualTo(409);
        assertThat(output.body()).isEqualTo(KILLED);
        assertThat(output.header("idempotency-expires")).isNotNull();

        Http.Response purge = admin.method("DELETE", "/invocations/" + id + "?mode=purge", null);
        assertThat(purge.status()).as(purge.toString()).isEqualTo(202);
        Http.Response gone = ingress.get("/restate/invocation/" + id + "/output");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo(NOT_FOUND);

        String delayedTag = unique("delete-cancel");
        String delayed = ingress.postJson("/Greeter/greet/send?delay=60s",
                "{\"name\":\"D\",\"tag\":\"" + delayedTag + "\"}").header("x-restate-id");
        Http.Response cancel = admin.method("DELETE", "/invocations/" + delayed, null);
        assertThat(cancel.status()).as("no mode is a cancel").isEqualTo(202);
        assertThat(ingress.get("/restate/invocation/" + delayed + "/output").body()).isEqualTo(CANCELLED);
        assertThat(example.executions("greet:" + delayedTag)).isZero();
    }

    @Test
    void theOlderDeleteFormOnAPurgedInvocationIs202AsRestateAnswers() {
        // Record i8: after ?mode=purge, a DELETE without a mode on the same id still answered 202.
        Http.Response sent = ingress.postJson("/Greeter/greet", "{\"name\":\"P\",\"tag\":\"" + unique("dp") + "\"}");
        String id = sent.header("x-restate-id");
        assertThat(admin.method("DELETE", "/invocations/" + id + "?mode=purge", null).status()).isEqualTo(202);

        Http.Response again = admin.method("DELETE", "/invocations/" + id, null);
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
    }

    @Test
    void malformedAndUnknownIdsAreAnsweredInRestatesAdminShape() {
        Http.Response garbage = patch("garbage", "kill");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.body()).isEqualTo(
                "{\"message\":\"The request field 'invocation_id' is invalid. Reason: bad format\",\"restate_code\":null}");
        assertThat(garbage.header("content-type")).isEqualTo("application/json");

        Http.Response badBase62 = patch("inv_1aaaaaaaaaaaa5ZZZZZZZZZZZZZZZZZZZZZ", "cancel");
        assertThat(badBase62.status()).isEqualTo(400);
        assertThat(badBase62.body()).isEqualTo("{\"message\":\"The request field 'invocation_id' is invalid. "
                + "Reason: base62 decode error\",\"restate_code\":null}");

        String unknown = InvocationId.random(42).toString();
        String notFound = "{\"message\":\"The invocation '" + unknown + "' was not found.\",\"restate_code\":null}";
        for (String operation : List.of("cancel", "kill", "purge", "resume")) {
            Http.Response response = patch(unknown, operation);
            assertThat(response.status()).as(operation).isEqualTo(404);
            assertThat(response.body()).as(operation).isEqualTo(notFound);
        }
        Http.Response describe = admin.get("/invocations/" + unknown);
        assertThat(describe.status()).isEqualTo(404);
        assertThat(describe.body()).isEqualTo(notFound);

        Http.Response post = admin.post("/invocations/" + unknown + "/cancel", new byte[0]);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("PATCH");
    }

    @Test
    void aWrongMethodOnAnInvocationOperationIsAnEmpty405AsInTheRecord() {
        // Record i6: "HTTP/1.1 405 Method Not Allowed / allow: PATCH / content-length: 0".
        Http.Response post = admin.post("/invocations/" + InvocationId.random(3) + "/cancel", new byte[0]);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("PATCH");
        assertThat(post.body()).as(post.toString()).isEmpty();
    }

    @Test
    void anInvocationsViewShowsItsRetriesWhileBackingOffAndPausedAndItsCompletion() {
        Http.Response patched = admin.method("PATCH", "/services/Greeter", "{\"retry_policy\":{"
                + "\"initial_interval\":\"3s\",\"max_attempts\":2,\"on_max_attempts\":\"Pause\"}}",
                "content-type", "application/json");
        try {
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            String flakyId = unique("view");
            String id = ingress.postJson("/Greeter/flaky/send", "{\"id\":\"" + flakyId + "\"}").header("x-restate-id");

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(id).equals("backing-off"));
            JsonNode backingOff = view(id);
            assertThat(backingOff.get("id").asText()).isEqualTo(id);
            assertThat(backingOff.get("target").asText()).isEqualTo("Greeter/flaky");
            assertThat(backingOff.get("service").asText()).isEqualTo("Greeter");
            assertThat(backingOff.get("handler").asText()).isEqualTo("flaky");
            assertThat(backingOff.get("attempts").asInt()).isEqualTo(1);
            assertThat(backingOff.get("last_failure").get("code").asInt()).isEqualTo(500);
            assertThat(backingOff.get("last_failure").get("message").asText())
                    .isEqualTo("transient failure #1 for id=" + flakyId);
            Instant nextRetry = Instant.parse(backingOff.get("next_retry_at").asText());
            Instant started = Instant.parse(backingOff.get("started_at").asText());
            assertThat(Duration.between(started, nextRetry)).as("3 s back-off plus up to 30% jitter")
                    .isBetween(Duration.ofMillis(2_900), Duration.ofMillis(4_500));
            assertThat(backingOff.has("completion_result")).isFalse();
            Instant.parse(backingOff.get("created_at").asText());

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> status(id).equals("paused"));
            JsonNode paused = view(id);
            assertThat(paused.get("attempts").asInt()).isEqualTo(2);
            assertThat(paused.get("last_failure").get("message").asText())
                    .isEqualTo("transient failure #2 for id=" + flakyId);
            assertThat(paused.has("next_retry_at")).isFalse();

            JsonNode pausedList = json(admin.get("/invocations?service=Greeter&handler=flaky&status=paused").body());
            assertThat(ids(pausedList)).contains(id);

            assertThat(patch(id, "kill").status()).isEqualTo(200);
            JsonNode killed = view(id);
            assertThat(killed.get("status").asText()).isEqualTo("completed");
            assertThat(killed.get("completion_result").asText()).isEqualTo("failure");
            assertThat(killed.get("completion_failure").get("message").asText()).isEqualTo("killed");
            assertThat(killed.get("retained_until")).isNotNull();
        } finally {
            admin.method("PATCH", "/services/Greeter", "{\"retry_policy\":null}", "content-type", "application/json");
        }

        String key = unique("done");
        Http.Response done = ingress.postJson("/Greeter/greet", "{\"name\":\"V\",\"tag\":\"" + key + "\"}",
                "idempotency-key", key);
        JsonNode completed = view(done.header("x-restate-id"));
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.get("idempotency_key").asText()).isEqualTo(key);
        assertThat(completed.get("attempts").asInt()).isEqualTo(1);
        assertThat(completed.get("completion_result").asText()).isEqualTo("success");
        assertThat(completed.has("completion_failure")).isFalse();
        Instant completedAt = Instant.parse(completed.get("completed_at").asText());
        Instant retainedUntil = Instant.parse(completed.get("retained_until").asText());
        assertThat(Duration.between(completedAt, retainedUntil)).as("the default retention").isEqualTo(Duration.ofDays(1));
        assertThat(Instant.parse(completed.get("created_at").asText())).isBeforeOrEqualTo(completedAt);
    }

    @Test
    void theListFiltersByServiceHandlerAndStatus() {
        String tag = unique("list-running");
        String running = ingress.postJson("/Greeter/slow/send", "{\"ms\":3000,\"tag\":\"" + tag + "\"}")
                .header("x-restate-id");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + tag) == 1);

        JsonNode slowRunning = json(admin.get("/invocations?service=Greeter&handler=slow&status=running").body());
        assertThat(ids(slowRunning)).contains(running);
        assertThat(slowRunning.get("invocations")).allSatisfy(v -> {
            assertThat(v.get("status").asText()).isEqualTo("running");
            assertThat(v.get("target").asText()).isEqualTo("Greeter/slow");
        });
        assertThat(ids(json(admin.get("/invocations?service=Greeter&handler=slow&status=completed").body())))
                .doesNotContain(running);
        assertThat(ids(json(admin.get("/invocations?service=Greeter&handler=greet").body()))).doesNotContain(running);
        assertThat(ids(json(admin.get("/invocations?service=Counter").body()))).doesNotContain(running);
        assertThat(admin.get("/invocations?status=sleeping").status()).isEqualTo(400);
        assertThat(patch(running, "kill").status()).isEqualTo(200);
    }

    @Test
    void pagingThroughTheInvocationsOfOneObjectKeyGivesEachOnceNewestFirst() {
        // All invocations of one key live in one partition.
        String key = unique("page");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Http.Response add = ingress.postJson("/Counter/" + key + "/add", "1");
            assertThat(add.status()).isEqualTo(200);
            created.add(add.header("x-restate-id"));
        }
        assertThat(pageThrough("/invocations?service=Counter&key=" + key + "&limit=2"))
                .as("every invocation once, newest first").containsExactlyElementsOf(created.reversed());
    }

    @Test
    void pagingThroughInvocationsSpreadOverPartitionsGivesEachOnceNewestFirst() {
        // Greeter/noop runs nowhere else in this class; service calls land on random partitions.
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Http.Response noop = ingress.postJson("/Greeter/noop", "{\"n\":" + i + "}");
            assertThat(noop.status()).isEqualTo(200);
            created.add(noop.header("x-restate-id"));
        }
        assertThat(pageThrough("/invocations?service=Greeter&handler=noop&limit=2"))
                .as("every invocation once, newest first").containsExactlyElementsOf(created.reversed());
    }

    /** Follows next_before from the first page; pages of 2 over 5 invocations: 2, 2, 1. */
    private List<String> pageThrough(String firstPage) {
        List<String> paged = new ArrayList<>();
        String before = null;
        int pages = 0;
        do {
            JsonNode page = json(admin.get(firstPage + (before == null ? "" : "&before=" + before)).body());
            pages++;
            List<String> pageIds = ids(page);
            before = page.hasNonNull("next_before") ? page.get("next_before").asText() : null;
            assertThat(pageIds).as("page %d: %s", pages, page).hasSize(pages < 3 ? 2 : 1);
            assertThat(before != null).as("page %d has a next_before exactly when more follow: %s", pages, page)
                    .isEqualTo(pages < 3);
            paged.addAll(pageIds);
        } while (before != null && pages < 5);
        return paged;
    }

    private String awaitRunning(String service, String handler, String idempotencyKey) {
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode list = json(admin.get("/invocations?service=" + service + "&handler=" + handler
                    + "&status=running").body());
            for (JsonNode view : list.get("invocations")) {
                if (idempotencyKey.equals(view.path("idempotency_key").asText(null))) {
                    found[0] = view.get("id").asText();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private CompletableFuture<Http.Response> attachAsync(String id) {
        return CompletableFuture.supplyAsync(() -> ingress.get("/restate/invocation/" + id + "/attach"));
    }

    private Http.Response patch(String id, String operation) {
        return admin.method("PATCH", "/invocations/" + id + "/" + operation, null);
    }

    private String status(String id) {
        return view(id).get("status").asText();
    }

    private JsonNode view(String id) {
        Http.Response response = admin.get("/invocations/" + id);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return json(response.body());
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("invocations").forEach(view -> ids.add(view.get("id").asText()));
        return ids;
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
