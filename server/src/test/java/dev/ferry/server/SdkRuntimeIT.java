package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Services written with Restate's TypeScript SDK 1.17.2 (the real one, run by Node 22: {@link SdkService}) run on
 * Ferry on a real broker, called through Ferry's ingress as a Restate user calls them: the README's Greeter, Counter
 * and Signup, and a service that uses each command (run, sleep, calls, sends, awakeables, errors).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkRuntimeIT {
    private FerryHarness ferry;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        SdkService.kit(); // installs Node 22 and the SDK if .ci/run did not
        ferry = FerryHarness.onSharedKafka().start();
        register(SdkService.start("readme-services.cjs", SdkService.Transport.HTTP_1_1));
        register(SdkService.start("features.cjs", SdkService.Transport.H2C));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        ferry.close();
    }

    private void register(SdkService sdk) {
        open.add(sdk);
        Http.Response response = ferry.admin().postJson("/deployments",
                "{\"uri\":\"" + sdk.uri() + "\"}");
        assertThat(response.status()).as(response + " / SDK log: " + sdk.output()).isEqualTo(201);
    }

    private JsonNode json(Http.Response response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    private Http.Response call(String path, String json) {
        return ferry.ingress().postJson(path, json);
    }

    @Test
    void theReadmeGreeterAnswers() throws IOException {
        Http.Response response = call("/Greeter/greet", "{\"name\":\"Mary\"}");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.raw().headers().firstValue("content-type")).hasValue("application/json");
        assertThat(json(response)).isEqualTo(Json.MAPPER.readTree("{\"greeting\":\"Hello Mary\",\"name\":\"Mary\"}"));
    }

    @Test
    void theReadmeCounterKeepsItsStateExactlyOncePerKey() throws IOException {
        assertThat(call("/Counter/mary/add", "1").body()).isEqualTo("1");
        assertThat(call("/Counter/mary/add", "2").body()).isEqualTo("3");
        assertThat(call("/Counter/bob/add", "10").body()).isEqualTo("10");
        assertThat(call("/Counter/mary/get", "").body()).isEqualTo("3");

        // Concurrent adds on one key run one at a time: none is lost.
        List<CompletableFuture<Http.Response>> adds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            adds.add(ferry.ingress().postJsonAsync("/Counter/many/add", "1"));
        }
        for (CompletableFuture<Http.Response> add : adds) {
            assertThat(add.join().status()).isEqualTo(200);
        }
        assertThat(call("/Counter/many/get", "").body()).isEqualTo("10");
    }

    @Test
    void stateIsClearedOneKeyAtATimeOrAllAtOnce() throws IOException {
        assertThat(call("/Mailbox/keys-1/setThree", "").status()).isEqualTo(200);
        assertThat(call("/Mailbox/keys-1/keys", "").body()).isEqualTo("[\"a\",\"c\"]");
        JsonNode state = json(ferry.admin().get("/services/Mailbox/state/keys-1"));
        assertThat(state.get("state").toString()).as(state.toString())
                .isEqualTo("[{\"key\":\"a\",\"value\":1},{\"key\":\"c\",\"value\":3}]");

        assertThat(call("/Mailbox/keys-1/clearAll", "").status()).isEqualTo(200);
        assertThat(call("/Mailbox/keys-1/keys", "").body()).isEqualTo("[]");
        assertThat(json(ferry.admin().get("/services/Mailbox/state/keys-1")).get("state")).isEmpty();
    }

    @Test
    void aSubscriptionFeedsAnSdkObjectOneCallPerRecordWithTheRecordKeyAsObjectKey() throws Exception {
        String topic = "sdk-sub-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", TestKafka.bootstrapServers(),
                                "max.in.flight.requests.per.connection", "1"),
                        new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "fed", Integer.toString(100 + i)));
            }
        }
        Http.Response created = ferry.admin().postJson("/subscriptions",
                "{\"source\":\"kafka://default/" + topic + "\",\"sink\":\"service://Tally/add\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(call("/Tally/fed/total", "").body()).isEqualTo("5"));
    }

    @Test
    void sdkAttemptsShowInTheDispatchMetrics() {
        assertThat(call("/Features/runOnce", "\"metrics\"").status()).isEqualTo(200);

        String metrics = ferry.admin().get("/metrics").body();
        assertThat(metrics).contains("ferry_dispatch_attempts_total{handler=\"runOnce\",result=\"suspended\"")
                .contains("ferry_dispatch_attempts_total{handler=\"runOnce\",result=\"ended\"");
    }

    @Test
    void restatesOwnClientCallsTheReadmeServices() throws IOException {
        String url = "http://127.0.0.1:" + ferry.server().ingressPort();
        JsonNode greeting = Json.MAPPER.readTree(SdkService.run("call.cjs", url, "Greeter", "greet",
                "{\"name\":\"Ada\"}"));
        assertThat(greeting.get("ok").asBoolean()).as(greeting.toString()).isTrue();
        assertThat(greeting.get("result").get("greeting").asText()).isEqualTo("Hello Ada");

        JsonNode added = Json.MAPPER.readTree(SdkService.run("call.cjs", url, "Counter", "add", "5", "client"));
        assertThat(added.get("result").asInt()).as(added.toString()).isEqualTo(5);
    }

    @Test
    void restatesOwnWorkflowClientSubmitsApprovesAndAttaches() throws IOException {
        String url = "http://127.0.0.1:" + ferry.server().ingressPort();
        JsonNode outcome = Json.MAPPER.readTree(SdkService.run("workflow.cjs", url, "client-1"));

        assertThat(outcome.get("ok").asBoolean()).as(outcome.toString()).isTrue();
        assertThat(outcome.get("invocationId").asText()).startsWith("inv_");
        assertThat(outcome.get("result").get("approved").asBoolean()).isTrue();
        JsonNode again = outcome.get("again");
        assertThat(again.get("ok").asBoolean()).as("a second submission of the same workflow id: " + again).isTrue();
        assertThat(again.get("s").get("status").asText()).isEqualTo("PreviouslyAccepted");
        assertThat(again.get("s").get("invocationId").asText()).isEqualTo(outcome.get("invocationId").asText());
    }

    @Test
    void theReadmeSignupWorkflowWaitsForItsApproval() throws IOException {
        Http.Response started = call("/Signup/s-1/run/send", "{\"email\":\"mary@example.com\"}");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                json(call("/Signup/s-1/status", "")).get("status").asText()).isEqualTo("waiting"));

        Http.Response approved = call("/Signup/s-1/approve", "true");
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);

        Http.Response result = ferry.ingress().get("/restate/workflow/Signup/s-1/attach");
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
        assertThat(json(result).get("approved").asBoolean()).isTrue();
        assertThat(json(call("/Signup/s-1/status", "")).get("status").asText()).isEqualTo("done");
    }

    @Test
    void aRunClosureRunsOnceAndItsResultIsReplayed() throws IOException {
        Http.Response response = call("/Features/runOnce", "\"a\"");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("42");
        JsonNode counts = json(call("/Features/counts", ""));
        assertThat(counts.get("run:a:first").asInt()).isEqualTo(1);
        assertThat(counts.get("run:a:second").asInt()).isEqualTo(1);
    }

    @Test
    void aSleepSuspendsAndResumesOnItsTimer() {
        long started = System.nanoTime();
        Http.Response response = call("/Features/sleep", "1000");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"slept\"");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void aHandlerCallsAndSendsToAnotherService() {
        Http.Response response = call("/Features/callGreeter", "\"Bob\"");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"Hello Bob\"");
    }

    @Test
    void aPrivateHandlerIsRefusedAtTheIngressButCalledByAnotherHandler() throws IOException {
        JsonNode handler = json(ferry.admin().get("/services/Features/handlers/whisper"));
        assertThat(handler.get("public").asBoolean()).as(handler.toString()).isFalse();

        for (String path : List.of("/Features/whisper", "/Features/whisper/send", "/restate/call/Features/whisper")) {
            Http.Response refused = call(path, "\"Eve\"");
            assertThat(refused.status()).as(path + ": " + refused).isEqualTo(400);
            assertThat(json(refused).get("message").asText()).isEqualTo("the invoked service is not public");
        }

        Http.Response called = call("/Features/callWhisper", "\"Bob\"");
        assertThat(called.status()).as(called.toString()).isEqualTo(200);
        assertThat(called.body()).isEqualTo("\"psst Bob\"");
    }

    @Test
    void aTerminalErrorEndsTheInvocationWithItsCode() throws IOException {
        Http.Response response = call("/Features/refuse", "");

        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(json(response).get("message").asText()).isEqualTo("not allowed");
    }

    @Test
    void aRetryableErrorIsRetriedUntilTheHandlerSucceeds() {
        Http.Response response = call("/Features/flaky", "\"f\"");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("3");
    }

    @Test
    void aRunsRetryPolicyIsHonouredAndItsFailureJournaled() throws IOException {
        Http.Response response = call("/Features/runRetries", "\"r\"");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body()).asText()).startsWith("gave up after 3");
        assertThat(json(call("/Features/counts", "")).get("runRetries:r").asInt()).isEqualTo(3);
    }

    @Test
    void aJournalMismatchPausesTheInvocationWithTheReason() throws IOException {
        Http.Response sent = call("/Features/nondeterministic/send", "\"n\"");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        String id = json(sent).get("invocationId").asText();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode invocation = json(ferry.admin().get("/invocations/" + id));
            assertThat(invocation.get("status").asText()).as(invocation.toString()).isEqualTo("paused");
            assertThat(invocation.toString()).contains("570").containsIgnoringCase("mismatch");
        });
    }

    @Test
    void anIdempotencyKeyRunsAnSdkHandlerOnceAndAnswersRepeatsWithItsResult() throws IOException {
        Http.Response first = ferry.ingress().postJson("/Features/runOnce", "\"idem\"", "idempotency-key", "k-1");
        Http.Response again = ferry.ingress().postJson("/Features/runOnce", "\"idem\"", "idempotency-key", "k-1");

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("42");
        assertThat(again.header("x-restate-id")).isEqualTo(first.header("x-restate-id"));
        assertThat(json(call("/Features/counts", "")).get("run:idem:first").asInt()).isEqualTo(1);
    }

    @Test
    void aDelayedSendStartsAnSdkHandlerLaterAndItsResultIsAttachable() throws IOException {
        long sentAt = System.currentTimeMillis();
        Http.Response sent = ferry.ingress().postJson("/Features/runOnce/send?delay=1s", "\"delayed\"");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        String id = json(sent).get("invocationId").asText();

        Http.Response attached = ferry.ingress().get("/restate/invocation/" + id + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        assertThat(attached.body()).isEqualTo("42");
        assertThat(System.currentTimeMillis() - sentAt).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void cancellingASleepingSdkHandlerEndsItCancelledAtItsAwait() throws IOException {
        Http.Response sent = call("/Features/sleep/send", "600000");
        String id = json(sent).get("invocationId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(ferry.admin().get("/invocations/" + id)).get("status").asText().equals("suspended"));

        Http.Response cancel = ferry.admin().method("PATCH", "/invocations/" + id + "/cancel", null);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);

        Http.Response attached = ferry.ingress().get("/restate/invocation/" + id + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(409);
        assertThat(json(attached).get("message").asText()).containsIgnoringCase("cancel");
    }

    @Test
    void killingASuspendedSdkHandlerEndsItAtOnce() throws IOException {
        Http.Response sent = call("/Features/sleep/send", "600000");
        String id = json(sent).get("invocationId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(ferry.admin().get("/invocations/" + id)).get("status").asText().equals("suspended"));

        Http.Response kill = ferry.admin().method("PATCH", "/invocations/" + id + "/kill", null);
        assertThat(kill.status()).as(kill.toString()).isEqualTo(200);

        Http.Response attached = ferry.ingress().get("/restate/invocation/" + id + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(409);
        assertThat(json(attached).get("message").asText()).isEqualTo("killed");
    }

    @Test
    void aHandlerAttachesToAnotherInvocationAndGetsItsResult() throws IOException {
        Http.Response sent = call("/Features/sleep/send", "1500");
        String id = json(sent).get("invocationId").asText();

        Http.Response attached = call("/Features/attachTo", "\"" + id + "\"");

        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        assertThat(attached.body()).isEqualTo("\"slept\"");
    }

    @Test
    void aNamedSignalFromAnotherHandlerResumesTheOneWaitingForIt() throws IOException {
        CompletableFuture<Http.Response> waiting = ferry.ingress().postJsonAsync("/Features/awaitSignal", "\"sig\"");
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode published = json(call("/Mailbox/sig/get", ""));
            assertThat(published.isTextual()).as(published.toString()).isTrue();
            id[0] = published.asText();
        });

        Http.Response signalled = call("/Features/sendSignal", "{\"id\":\"" + id[0] + "\",\"value\":\"went\"}");
        assertThat(signalled.status()).as(signalled.toString()).isEqualTo(200);

        Http.Response result = waiting.join();
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
        assertThat(result.body()).isEqualTo("\"went\"");
    }

    @Test
    void anAwakeableIsResolvedThroughTheIngress() throws IOException {
        CompletableFuture<Http.Response> waiting = ferry.ingress().postJsonAsync("/Features/awaitAwakeable", "\"w\"");
        String[] awakeableId = new String[1];
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode id = json(call("/Mailbox/w/get", ""));
            assertThat(id.isTextual()).as(id.toString()).isTrue();
            awakeableId[0] = id.asText();
        });

        Http.Response resolved = call("/restate/awakeables/" + awakeableId[0] + "/resolve", "\"hello\"");
        assertThat(resolved.status()).as(resolved.toString()).isEqualTo(202);

        Http.Response result = waiting.join();
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
        assertThat(result.body()).isEqualTo("\"hello\"");
    }
}
