package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.results.DeadLetters;
import dev.ferry.schemas.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The abuse suite: a corpus of malformed, huge and odd requests and Kafka records, sent one after another to one
 * Ferry. Each case checks its own answer (a clear 4xx, a dead-letter record, or a normal result), and after
 * each one a plain call must still answer within a second. At the end, every invocation Ferry accepted during
 * the run must have completed: nothing accepted is lost.
 *
 * <p>Sized for CI: the body limit is 4 MiB here (LimitsIT carries bodies at the real 32 MiB default) and the
 * floods are a few thousand requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbuseIT {
    private static final int MAX_BODY = 4 * 1024 * 1024;
    private static final Duration PROBE_BUDGET = Duration.ofSeconds(1);
    /** Connections that callers abandon: each flood request gives up after this long. */
    private static final Duration ABANDON_AFTER = Duration.ofMillis(300);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private FerryHarness ferry;
    private ExampleService example;
    private String prefix;
    private KafkaProducer<String, byte[]> producer;
    /** Invocation ids Ferry accepted (202) during the run, with the case that sent them. */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    /** Record keys of the Kafka corpus that must come back on the dead-letter topic. */
    private final Set<String> expectDeadLetter = ConcurrentHashMap.newKeySet();
    private final List<Long> probeMillis = Collections.synchronizedList(new ArrayList<>());
    private final List<String> report = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().with("FERRY_MAX_BODY_SIZE", Integer.toString(MAX_BODY)).start();
        example = ferry.registerExample();
        prefix = ferry.env.get("FERRY_TOPIC_PREFIX");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1"); // see KafkaNativeIT (KAFKA-15591)
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 * 1024 * 1024));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        // Warm up, so the first probes measure Ferry and not the JIT.
        for (int i = 0; i < 100; i++) {
            ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"warm-up-" + i + "\"}");
        }
    }

    @AfterAll
    void stop() {
        if (!probeMillis.isEmpty()) {
            long[] sorted = probeMillis.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("AbuseIT: %d cases, probe after each: p50 %d ms, max %d ms%n", sorted.length,
                    sorted[sorted.length / 2], sorted[sorted.length - 1]);
        }
        report.forEach(System.out::println);
        if (producer != null) {
            producer.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    // ---- the corpus

    @TestFactory
    @Order(1)
    Stream<DynamicTest> requestsToTheIngress() {
        return Stream.of(
                abuse("a body exactly at the limit, one JSON string", () -> {
                    byte[] body = jsonStringOfSize(MAX_BODY);
                    HttpResponse<byte[]> sent = send(post("/Greeter/noop/send", body, "application/json"));
                    assertThat(sent.statusCode()).isEqualTo(202);
                    String id = sent.headers().firstValue("x-restate-id").orElseThrow();
                    accepted.put(id, "at the limit");
                    HttpResponse<byte[]> attached = send(get("/restate/invocation/" + id + "/attach"));
                    assertThat(attached.statusCode()).isEqualTo(200);
                    assertThat(attached.body()).as("the body, intact").isEqualTo(body);
                }),
                abuse("one byte over the limit", () -> {
                    HttpResponse<byte[]> sent = send(post("/Greeter/noop/send", jsonStringOfSize(MAX_BODY + 1),
                            "application/json").expectContinue(true).build());
                    assertThat(sent.statusCode()).isEqualTo(413);
                }),
                abuse("JSON nested 100,000 deep", () -> {
                    byte[] body = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
                    assertThat(send(post("/Greeter/noop", body, "application/json")).statusCode())
                            .isBetween(200, 499);
                }),
                abuse("bytes that are not UTF-8, declared as JSON", () -> {
                    byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'};
                    assertThat(send(post("/Greeter/noop", body, "application/json")).statusCode())
                            .isBetween(200, 499);
                }),
                abuse("a NUL and control characters in a JSON body", () -> {
                    byte[] body = "{\"name\":\"a\\u0000b\\u0007c\\n\"}".getBytes(StandardCharsets.UTF_8);
                    assertThat(send(post("/Greeter/greet", body, "application/json")).statusCode()).isEqualTo(200);
                }),
                abuse("1,000 headers", () -> {
                    HttpRequest.Builder request = post("/Greeter/greet", "{\"name\":\"headers\"}".getBytes(
                            StandardCharsets.UTF_8), "application/json");
                    for (int i = 0; i < 1_000; i++) {
                        request.header("x-h-" + i, "v" + i);
                    }
                    assertThat(send(request.build()).statusCode()).isBetween(200, 499);
                }),
                abuse("a 100 KB header value", () -> {
                    HttpRequest request = post("/Greeter/greet", "{\"name\":\"big-header\"}".getBytes(
                            StandardCharsets.UTF_8), "application/json").header("x-big", "v".repeat(100_000)).build();
                    assertThat(send(request).statusCode()).isBetween(200, 499);
                }),
                abuse("a 60,000-character object key", () -> {
                    String key = "k".repeat(60_000);
                    assertThat(send(post("/Counter/" + key + "/add", "1".getBytes(StandardCharsets.UTF_8),
                            "application/json")).statusCode()).isEqualTo(200);
                }),
                abuse("object keys outside Latin-1, with spaces, slashes and a newline", () -> {
                    for (String key : List.of("€ 漢字 😀", "a/b c", "line\nbreak", "100%", " padded ")) {
                        String encoded = java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
                        HttpResponse<byte[]> added = send(post("/Counter/" + encoded + "/add",
                                "2".getBytes(StandardCharsets.UTF_8), "application/json"));
                        assertThat(added.statusCode()).as("add on key '%s'", key).isEqualTo(200);
                        HttpResponse<byte[]> read = send(post("/Counter/" + encoded + "/get", new byte[0], null));
                        assertThat(new String(read.body(), StandardCharsets.UTF_8)).as("get on key '%s'", key)
                                .isEqualTo("2");
                    }
                }),
                abuse("an idempotency key outside Latin-1, sent as UTF-8 bytes", () -> {
                    // The JDK client refuses such a header: written byte for byte, as curl sends it.
                    String key = "idem-€-" + UUID.randomUUID();
                    RawResponse first = rawPost("/Greeter/greet", "idempotency-key", key, "{\"name\":\"utf8-key\"}");
                    assertThat(first.status()).as(first.head()).isEqualTo(200);
                    String encoded = java.net.URLEncoder.encode(key, StandardCharsets.UTF_8);
                    HttpResponse<byte[]> output = send(get("/restate/invocation/Greeter/greet/" + encoded + "/output"));
                    assertThat(output.statusCode()).as("the same key in a URL finds the same invocation")
                            .isEqualTo(200);
                    assertThat(output.headers().firstValue("x-restate-id")).contains(first.header("x-restate-id"));
                }),
                abuse("a content-length that is not a number", () -> {
                    // Helidon reads it as a number through the process's mapper manager (HelidonMappers).
                    for (String length : List.of("abc", "-5", "99999999999999999999999")) {
                        RawResponse answer = rawExchange(("POST /Greeter/greet HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                                + "content-type: application/json\r\ncontent-length: " + length
                                + "\r\nconnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                        assertThat(answer.status()).as("content-length %s: %s", length, answer.head())
                                .isBetween(400, 499);
                    }
                }),
                abuse("a 60,000-character idempotency key", () -> {
                    HttpRequest request = post("/Greeter/greet", "{\"name\":\"long-key\"}".getBytes(
                            StandardCharsets.UTF_8), "application/json").header("idempotency-key", "i".repeat(60_000))
                            .build();
                    assertThat(send(request).statusCode()).isEqualTo(200);
                }),
                abuse("a delay that overflows", () -> {
                    HttpResponse<byte[]> sent = send(post("/Greeter/greet/send?delay=106751991167d",
                            "{\"name\":\"never\"}".getBytes(StandardCharsets.UTF_8), "application/json"));
                    assertThat(sent.statusCode()).isEqualTo(400);
                    assertThat(new String(sent.body(), StandardCharsets.UTF_8)).contains("106751991167d");
                }),
                abuse("delays out of range and malformed", () -> {
                    for (String delay : List.of("-5s", "PT-1S", "99999999999999999999ms", "P99999999999D", "1e9s")) {
                        HttpResponse<byte[]> sent = send(post("/Greeter/greet/send?delay="
                                        + java.net.URLEncoder.encode(delay, StandardCharsets.UTF_8),
                                "{\"name\":\"never\"}".getBytes(StandardCharsets.UTF_8), "application/json"));
                        assertThat(sent.statusCode()).as("delay %s", delay).isEqualTo(400);
                    }
                }),
                abuse("Prefer: wait out of range", () -> {
                    for (String wait : List.of("wait=99999999999999999999", "wait=-1")) {
                        HttpResponse<byte[]> called = send(post("/Greeter/greet", "{\"name\":\"prefer\"}"
                                .getBytes(StandardCharsets.UTF_8), "application/json").header("prefer", wait).build());
                        assertThat(called.statusCode()).as("Prefer: %s", wait).isEqualTo(400);
                    }
                }),
                abuse("paths, methods and ids that are not Ferry's", () -> {
                    assertThat(send(get("/../../etc/passwd")).statusCode()).isBetween(400, 499);
                    assertThat(send(get("/restate/invocation/inv_%00%00/output")).statusCode()).isBetween(400, 499);
                    assertThat(send(get("/restate/invocation/" + "x".repeat(10_000) + "/output")).statusCode())
                            .isBetween(400, 499);
                    assertThat(send(request("/Greeter/greet").method("PUT",
                            HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(405);
                    assertThat(send(post("/NoSuchService/x", new byte[0], null)).statusCode()).isEqualTo(404);
                }),
                abuse("2,000 attaches on one waiting workflow, abandoned by their callers", () -> {
                    String workflow = "abandoned-" + UUID.randomUUID();
                    HttpResponse<byte[]> started = send(post("/Signup/" + workflow + "/run/send",
                            "{\"email\":\"a@example.com\"}".getBytes(StandardCharsets.UTF_8), "application/json"));
                    assertThat(started.statusCode()).isEqualTo(202);
                    accepted.put(started.headers().firstValue("x-restate-id").orElseThrow(), "abandoned attaches");
                    abandonAll(2_000, i -> get("/restate/workflow/Signup/" + workflow + "/attach"));
                    assertThat(send(post("/Signup/" + workflow + "/approve", "\"yes\"".getBytes(StandardCharsets.UTF_8),
                            "application/json")).statusCode()).isEqualTo(200);
                    // The run ends after the approval's answer; an attach that comes first waits for it, and until
                    // the ingress has noticed (within a second, ProcessorClient.CALLER_CHECK) that the 2,000 callers
                    // went away, the run's waiters are at their cap and it is told 429 (retry), as CI saw once.
                    HttpResponse<byte[]> attached = await().atMost(Duration.ofSeconds(15))
                            .until(() -> send(get("/restate/workflow/Signup/" + workflow + "/attach")),
                                    r -> r.statusCode() != 429);
                    assertThat(attached.statusCode()).isEqualTo(200);
                    assertThat(new String(attached.body(), StandardCharsets.UTF_8)).contains("yes");
                }),
                abuse("2,000 idempotent repeats of a running call, abandoned by their callers", () -> {
                    String key = "repeat-" + UUID.randomUUID();
                    abandonAll(2_000, i -> post("/Greeter/slow", "{\"ms\":1500,\"tag\":\"repeats\"}"
                            .getBytes(StandardCharsets.UTF_8), "application/json").header("idempotency-key", key)
                            .timeout(ABANDON_AFTER).build());
                    // The ingress notices within a second that those callers went away (ProcessorClient.CALLER_CHECK);
                    // until it has, the invocation's waiters are at their cap and a repeat is told 429 (retry).
                    HttpResponse<byte[]> answered = await().atMost(Duration.ofSeconds(15))
                            .until(() -> send(post("/Greeter/slow", "{\"ms\":1500,\"tag\":\"repeats\"}"
                                    .getBytes(StandardCharsets.UTF_8), "application/json")
                                    .header("idempotency-key", key).build()), r -> r.statusCode() != 429);
                    assertThat(answered.statusCode()).isEqualTo(200);
                    assertThat(example.executions("slow:repeats")).as("one invocation for all repeats").isEqualTo(1);
                }));
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> requestsToTheAdminApi() {
        return Stream.of(
                abuse("a cross-site form and text/plain POST", () -> {
                    Http.Response form = ferry.admin().post("/deployments",
                            "uri=http://127.0.0.1:1".getBytes(StandardCharsets.UTF_8),
                            "content-type", "application/x-www-form-urlencoded");
                    assertThat(form.status()).as(form.toString()).isEqualTo(415);
                    Http.Response text = ferry.admin().post("/deployments",
                            "{\"uri\":\"http://127.0.0.1:1\"}".getBytes(StandardCharsets.UTF_8),
                            "content-type", "text/plain");
                    assertThat(text.status()).as(text.toString()).isEqualTo(415);
                }),
                abuse("a request from a foreign origin", () -> {
                    Http.Response foreign = ferry.admin().postJson("/deployments",
                            "{\"uri\":\"http://127.0.0.1:1\"}", "origin", "https://evil.example");
                    assertThat(foreign.status()).as(foreign.toString()).isEqualTo(403);
                }),
                abuse("registrations that cannot work", () -> {
                    for (String body : List.of("{\"uri\":\"http://127.0.0.1:1\"}", "{\"uri\":\"file:///etc/passwd\"}",
                            "{\"uri\":\"http://[::1\"}", "{\"uri\":42}", "[]", "{", "")) {
                        Http.Response refused = ferry.admin().postJson("/deployments", body);
                        assertThat(refused.status()).as("%s -> %s", body, refused).isBetween(400, 499);
                    }
                }),
                abuse("service settings out of range", () -> {
                    for (String body : List.of("{\"idempotency_retention\":\"106751991167d\"}",
                            "{\"inactivity_timeout\":\"-1s\"}", "{\"max_wait\":\"99999999999999999999ms\"}",
                            "{\"retry_policy\":{\"max_attempts\":-3}}")) {
                        Http.Response refused = ferry.admin().method("PATCH", "/services/Greeter", body,
                                "content-type", "application/json");
                        assertThat(refused.status()).as("%s -> %s", body, refused).isEqualTo(400);
                    }
                }),
                abuse("a subscription whose results would land on Ferry's own topics", () -> {
                    Http.Response refused = ferry.admin().postJson("/subscriptions",
                            "{\"source\":\"kafka://default/" + prefix + "results\",\"sink\":\"service://Greeter/greet\","
                                    + "\"options\":{\"result_topic\":\"" + prefix + "deployments\"}}");
                    assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
                }),
                abuse("a listing asking for everything", () -> {
                    Http.Response page = ferry.admin().get("/invocations?limit=100000000");
                    assertThat(page.status()).as(page.toString()).isIn(200, 400);
                    if (page.status() == 200) {
                        assertThat(Json.MAPPER.readTree(page.body()).path("invocations").size()).isLessThanOrEqualTo(1_000);
                    }
                }));
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> recordsProducedStraightOntoTheLog() {
        return Stream.of(
                abuse("bytes that are not JSON", () -> produceToLog("garbage", new byte[] {0, 1, 2, (byte) 0xFF}, true)),
                abuse("a record without a value", () -> produceToLog("tombstone", null, true)),
                abuse("JSON that is not a command", () -> {
                    produceToLog("array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), true);
                    produceToLog("unknown-type", "{\"type\":\"Nope\"}".getBytes(StandardCharsets.UTF_8), true);
                }),
                abuse("an Invoke whose body is over the limit", () -> produceToLog("too-big", invoke("Greeter", "noop",
                        ", \"body\": " + new String(jsonStringOfSize(MAX_BODY + 1024), StandardCharsets.UTF_8)), true)),
                abuse("an Invoke whose results would go to the registry topic", () -> produceToLog("registry-target",
                        invoke("Greeter", "greet", ", \"body\": {\"name\":\"x\"}, \"resultTopic\": \"" + prefix
                                + "deployments\""), true)),
                abuse("an Invoke whose results would go to a topic that does not exist", () -> produceToLog(
                        "missing-topic", invoke("Greeter", "greet", ", \"body\": {\"name\":\"missing-topic\"},"
                                + " \"resultTopic\": \"no-such-topic-" + UUID.randomUUID() + "\""), true)),
                abuse("an Invoke with a delay that overflows", () -> produceToLog("delay-overflow", invoke("Greeter",
                        "greet", ", \"body\": {\"name\":\"x\"}, \"delay\": \"106751991167d\""), true)),
                abuse("an Invoke that claims to answer another caller", () -> {
                    // Not dead-lettered: the invocation may run, but its replyTo is not honoured on the log.
                    String key = "forged-" + UUID.randomUUID();
                    produceToLog("forged-reply", invoke("Greeter", "greet", ", \"idempotencyKey\": \"" + key
                            + "\", \"body\": {\"name\":\"forged\"}, \"replyTo\": {\"ingressId\": \"someone-else\","
                            + " \"requestId\": \"1\"}"), false);
                    awaitOutput("/restate/invocation/Greeter/greet/" + key + "/output");
                }),
                abuse("an Invoke for a service that is not registered", () -> produceToLog("unregistered",
                        invoke("NoSuchService", "x", ""), true)),
                abuse("a Detach that would silence another ingress's callers", () -> produceToLog("detach",
                        ("{\"type\":\"Detach\",\"invocationId\":\"inv_1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                                + "\"ingressId\":\"ingress-someone\"}").getBytes(StandardCharsets.UTF_8), true)),
                abuse("outcomes and management for invocations that do not exist", () -> {
                    produceToLog("completion-unknown", ("{\"type\":\"Completion\",\"invocationId\":\"inv_1aaaaaaaaaa"
                            + "aaaaaaaaaaaaaaaaaaaaaaaaaa\",\"attempt\":1,\"outcome\":{\"success\":{\"status\":200}}}")
                            .getBytes(StandardCharsets.UTF_8), false);
                    produceToLog("kill-malformed", "{\"type\":\"Kill\",\"invocationId\":\"not-an-id\"}"
                            .getBytes(StandardCharsets.UTF_8), true);
                }));
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> recordsOnFerrysOtherTopics() {
        return Stream.of(
                abuse("garbage on the registry topic", () -> {
                    producer.send(new ProducerRecord<>(prefix + "deployments", "dp_garbage",
                            "{not a deployment".getBytes(StandardCharsets.UTF_8))).get();
                    producer.send(new ProducerRecord<>(prefix + "deployments", "dp_other",
                            "{\"type\":\"Invoke\"}".getBytes(StandardCharsets.UTF_8))).get();
                    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() ->
                            ferry.admin().get("/services").body().contains("\"Greeter\""));
                }),
                abuse("garbage on the dispatch topic", () -> producer.send(new ProducerRecord<>(prefix + "dispatch",
                        "x", "{\"type\":\"Dispatch\",\"invocationId\":".getBytes(StandardCharsets.UTF_8))).get()),
                abuse("garbage on the replies topic", () -> producer.send(new ProducerRecord<>(prefix + "replies",
                        "x", new byte[] {(byte) 0xFF, 0})).get()),
                abuse("garbage on the queries topic", () -> {
                    producer.send(new ProducerRecord<>(prefix + "queries", "x", new byte[] {'{', 0})).get();
                    producer.send(new ProducerRecord<>(prefix + "queries", "x", null)).get();
                    producer.send(new ProducerRecord<>(prefix + "queries", "x",
                            "{\"type\":\"ListInvocations\",\"limit\":-5}".getBytes(StandardCharsets.UTF_8))).get();
                    // The processors still answer the admin's listing, whole.
                    Http.Response page = ferry.admin().get("/invocations?limit=5");
                    assertThat(page.status()).as(page.toString()).isEqualTo(200);
                    JsonNode listed = Json.MAPPER.readTree(page.body());
                    assertThat(listed.path("partial").asBoolean(false)).as(page.toString()).isFalse();
                    String id = listed.path("invocations").get(0).path("id").asText();
                    assertThat(ferry.admin().get("/invocations/" + id).status()).isEqualTo(200);
                }));
    }

    // ---- nothing lost

    @Test
    @Order(5)
    void everyAcceptedInvocationCompletedAndEveryRejectedRecordWasDeadLettered() throws Exception {
        assertThat(accepted).as("the corpus accepted invocations").isNotEmpty();
        for (Map.Entry<String, String> entry : accepted.entrySet()) {
            HttpResponse<byte[]> output = send(get("/restate/invocation/" + entry.getKey() + "/output"));
            assertThat(output.statusCode()).as("%s (%s)", entry.getKey(), entry.getValue()).isEqualTo(200);
        }
        List<ConsumerRecord<String, byte[]>> dead = readDeadLetters(records -> records.stream()
                .map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(expectDeadLetter));
        for (String key : expectDeadLetter) {
            ConsumerRecord<String, byte[]> record = dead.stream().filter(r -> key.equals(r.key())).findFirst()
                    .orElseThrow();
            String reason = header(record, DeadLetters.REASON);
            assertThat(reason).as("the reason for %s", key).isNotBlank();
            assertThat(record.serializedValueSize()).as("a bounded copy of %s", key)
                    .isLessThanOrEqualTo(MAX_BODY * 2);
            report.add("AbuseIT: dead-lettered " + key + ": " + reason.substring(0, Math.min(160, reason.length())));
        }
    }

    // ---- the probe

    /** A case of abuse, then the probe: a plain call on another invocation still answers within a second. */
    private DynamicTest abuse(String name, ThrowingRunnable abuse) {
        return DynamicTest.dynamicTest(name, () -> {
            abuse.run();
            probe(name);
        });
    }

    private void probe(String after) throws Exception {
        String name = "probe-" + UUID.randomUUID();
        long started = System.nanoTime();
        HttpResponse<byte[]> answer = CLIENT.send(post("/Greeter/greet",
                ("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8), "application/json")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        long millis = (System.nanoTime() - started) / 1_000_000;
        probeMillis.add(millis);
        report.add("AbuseIT: probe after \"" + after + "\": " + millis + " ms");
        assertThat(answer.statusCode()).as("a plain call after: %s", after).isEqualTo(200);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).contains(name);
        assertThat(Duration.ofMillis(millis)).as("a plain call after \"%s\" answers within a second", after)
                .isLessThanOrEqualTo(PROBE_BUDGET);
    }

    // ---- helpers

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Sends {@code count} requests at once, each given up by its caller after {@link #ABANDON_AFTER}. */
    private void abandonAll(int count, java.util.function.IntFunction<HttpRequest> request) {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest r = request.apply(i);
            HttpRequest abandoning = HttpRequest.newBuilder(r, (n, v) -> true).timeout(ABANDON_AFTER).build();
            calls.add(CLIENT.sendAsync(abandoning, HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> response == null ? -1 : response.statusCode()));
        }
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).toList();
        Map<Integer, Long> byStatus = statuses.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        report.add("AbuseIT: " + count + " abandoned requests answered " + byStatus + " (-1: given up)");
        assertThat(statuses).as("none answered with a server error").noneMatch(s -> s >= 500);
    }

    /** Waits until the output at {@code path} is a completed result (200). */
    private void awaitOutput(String path) {
        await().atMost(Duration.ofSeconds(20)).until(() -> send(get(path)).statusCode() == 200);
    }

    private record RawResponse(int status, String head) {
        String header(String name) {
            return head.lines().filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":"))
                    .map(line -> line.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }
    }

    /** A POST written byte for byte, with one header whose value goes as its UTF-8 bytes. */
    private RawResponse rawPost(String path, String headerName, String headerValue, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
        request.writeBytes(("POST " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + "content-length: " + body.length + "\r\nconnection: close\r\n" + headerName + ": ")
                .getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(headerValue.getBytes(StandardCharsets.UTF_8));
        request.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        return rawExchange(request.toByteArray());
    }

    /** Writes a request byte for byte and reads the answer's head. */
    private RawResponse rawExchange(byte[] request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", ferry.server().ingressPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request);
            // The answer's head is enough: read up to its blank line (the server may keep the connection open).
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            return new RawResponse(Integer.parseInt(head.toString().split(" ")[1]), head.toString().strip());
        }
    }

    private void produceToLog(String name, byte[] value, boolean deadLettered) throws Exception {
        String key = "abuse-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        producer.send(new ProducerRecord<>(prefix + "log", key, value)).get();
        if (deadLettered) {
            expectDeadLetter.add(key);
        }
    }

    private static byte[] invoke(String service, String handler, String more) {
        return ("{\"type\":\"Invoke\",\"target\":{\"service\":\"" + service + "\",\"handler\":\"" + handler + "\"}"
                + more + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON document of exactly {@code size} bytes: one string. */
    private static byte[] jsonStringOfSize(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        body[0] = '"';
        body[size - 1] = '"';
        return body;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.server().ingressPort() + path))
                .timeout(Duration.ofSeconds(60));
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest.Builder post(String path, byte[] body, String contentType) {
        HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return contentType == null ? builder : builder.header("content-type", contentType);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return send(request.build());
    }

    private static HttpResponse<byte[]> send(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private List<ConsumerRecord<String, byte[]>> readDeadLetters(Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
        List<ConsumerRecord<String, byte[]>> records = Collections.synchronizedList(new ArrayList<>());
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(prefix + "dead-letter"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return done.test(records);
            });
        }
        return records;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unused")
    private static JsonNode json(HttpResponse<byte[]> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
