package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.schemas.results.DeadLetters;
import dev.ferry.schemas.results.FailedInvocation;
import dev.ferry.schemas.results.InvocationResult;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One body limit, end to end, on a real broker: a body of exactly the limit (one JSON string, or random bytes that
 * travel base64-encoded) comes back intact through call, idempotent replay, send, attach, output, the results topic
 * and a dead-lettered failure; one byte more is 413 with nothing written. A service's answer over the limit is a
 * terminal failure, one that never ends is retried after the inactivity timeout. Subscription and direct
 * producers' records over the limit are dead-lettered with the reason. Most cases run at 4 MiB; the last at the
 * default 32 MiB.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsIT {
    private static final int LIMIT = 4 * 1024 * 1024;

    private FerryHarness ferry;
    private EchoService echo;
    private String prefix;

    @BeforeAll
    void start() throws Exception {
        echo = new EchoService();
        ferry = FerryHarness.onSharedKafka()
                .with("FERRY_MAX_BODY_SIZE", Integer.toString(LIMIT))
                .with("FERRY_PUBLISH_RESULTS", "true")
                .with("FERRY_DEAD_LETTER_FAILURES", "true")
                .start();
        prefix = ferry.env.get("FERRY_TOPIC_PREFIX");
        echo.register(ferry);
    }

    @AfterAll
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
        echo.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/octet-stream"})
    void aBodyOfExactlyTheLimitComesBackIntactEverywhere(String contentType) {
        byte[] body = bodyOf(LIMIT, contentType);
        String key = "at-limit-" + UUID.randomUUID();

        long started = System.nanoTime();
        Http.Response called = ferry.ingress().post("/Echo/echo", body, "content-type", contentType,
                "idempotency-key", key);
        log("call", contentType, LIMIT, started);
        assertThat(called.status()).as(called::toString).isEqualTo(200);
        assertThat(called.raw().body()).isEqualTo(body);
        assertThat(called.header("content-type")).isEqualTo(contentType);

        Http.Response replayed = ferry.ingress().post("/Echo/echo", body, "content-type", contentType,
                "idempotency-key", key);
        assertThat(replayed.status()).isEqualTo(200);
        assertThat(replayed.header("idempotency-expires")).isNotNull();
        assertThat(replayed.raw().body()).isEqualTo(body);

        String sendKey = key + "-send";
        Http.Response sent = ferry.ingress().post("/Echo/echo/send", body, "content-type", contentType,
                "idempotency-key", sendKey);
        assertThat(sent.status()).as(sent::toString).isEqualTo(202);
        Http.Response attached = ferry.ingress().get("/restate/invocation/Echo/echo/" + sendKey + "/attach");
        assertThat(attached.status()).isEqualTo(200);
        assertThat(attached.raw().body()).isEqualTo(body);
        Http.Response output = ferry.ingress().get("/restate/invocation/Echo/echo/" + sendKey + "/output");
        assertThat(output.status()).isEqualTo(200);
        assertThat(output.raw().body()).isEqualTo(body);

        String invocationId = called.header("x-restate-id");
        ConsumerRecord<String, byte[]> published = readUntilKey(prefix + "results", invocationId);
        InvocationResult result = Json.readTrusted(published.value(), InvocationResult.class);
        assertThat(result.result().body().bytes()).isEqualTo(body);
        assertThat(result.result().contentType()).isEqualTo(contentType);
        assertPlainCallIsPrompt();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/octet-stream"})
    void aFailedInvocationWithABodyOfExactlyTheLimitIsDeadLetteredWithItsInputIntact(String contentType) {
        byte[] body = bodyOf(LIMIT, contentType);

        Http.Response rejected = ferry.ingress().post("/Echo/reject", body, "content-type", contentType);

        assertThat(rejected.status()).as(rejected::toString).isEqualTo(400);
        ConsumerRecord<String, byte[]> dead = readUntilKey(prefix + "dead-letter", rejected.header("x-restate-id"));
        assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.FAILED_INVOCATION);
        FailedInvocation failed = Json.readTrusted(dead.value(), FailedInvocation.class);
        assertThat(failed.body().bytes()).isEqualTo(body);
        assertThat(failed.contentType()).isEqualTo(contentType);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/octet-stream"})
    void aBodyOneByteOverTheLimitIs413AndNothingIsWritten(String contentType) throws Exception {
        byte[] body = bodyOf(LIMIT + 1, contentType);
        Map<TopicPartition, Long> before = endOffsets(prefix + "log");

        Http.Response call = ferry.ingress().postExpectingContinue("/Echo/echo", body, "content-type", contentType);
        Http.Response send = ferry.ingress().postExpectingContinue("/Echo/echo/send", body,
                "content-type", contentType, "idempotency-key", "over-" + UUID.randomUUID());

        assertThat(call.status()).isEqualTo(413);
        assertThat(call.body()).isEqualTo("length limit exceeded");
        assertThat(send.status()).isEqualTo(413);
        assertPlainCallIsPrompt();
        // Other invocations may append small commands meanwhile; none of those records carries the body.
        assertThat(valueSizesSince(prefix + "log", before)).allMatch(size -> size < 64 * 1024);
    }

    @Test
    void aServiceAnsweringMoreThanTheLimitFailsTerminallyWithTheReason() {
        Http.Response response = ferry.ingress().post("/Echo/huge", new byte[0]);

        assertThat(response.status()).as(response::toString).isEqualTo(502);
        assertThat(response.body()).contains(
                "\"message\":\"the service's response is larger than the limit of " + LIMIT + " bytes\"");
        assertThat(echo.calls("huge")).hasSize(1);
        assertPlainCallIsPrompt();
    }

    @Test
    void aServiceThatStreamsForeverIsAbortedAfterTheInactivityTimeoutAndRetried() {
        Http.Response sent = ferry.ingress().post("/Echo/endless/send", new byte[0]);
        assertThat(sent.status()).as(sent::toString).isEqualTo(202);
        String invocationId = Json.readTrusted(sent.raw().body(), JsonNode.class).get("invocationId").asText();

        await().atMost(Duration.ofSeconds(15)).until(() -> echo.calls("endless").size() >= 2);
        List<Long> starts = echo.calls("endless");
        long gapMillis = (starts.get(1) - starts.get(0)) / 1_000_000;
        System.out.printf("LIMITS endless: second attempt %d ms after the first (inactivity timeout 500 ms)%n",
                gapMillis);
        assertThat(gapMillis).as("the first attempt ran its inactivity timeout").isGreaterThanOrEqualTo(500);
        assertPlainCallIsPrompt();

        Http.Response killed = ferry.admin().method("PATCH", "/invocations/" + invocationId + "/kill", null,
                "content-type", "application/json");
        assertThat(killed.status()).as(killed::toString).isEqualTo(200);
    }

    @Test
    void aSubscriptionRecordOverTheLimitIsDeadLetteredAndTheNextOneRuns() throws Exception {
        String topic = "limits-in-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of("max.message.bytes", Integer.toString(2 * LIMIT))))).all().get();
        }
        String tag = UUID.randomUUID().toString();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "big".getBytes(StandardCharsets.UTF_8),
                    bodyOf(LIMIT + 1, "application/octet-stream"))).get();
            producer.send(new ProducerRecord<>(topic, "small".getBytes(StandardCharsets.UTF_8),
                    ("{\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8))).get();
        }

        Http.Response created = ferry.admin().postJson("/subscriptions",
                "{\"source\":\"kafka://default/" + topic + "\",\"sink\":\"service://Echo/echo\"}");
        assertThat(created.status()).as(created::toString).isEqualTo(201);

        await().atMost(Duration.ofSeconds(30)).until(() -> echo.bodies().stream().anyMatch(b -> b.contains(tag)));
        ConsumerRecord<String, byte[]> dead = readUntil(prefix + "dead-letter",
                r -> topic.equals(header(r, DeadLetters.TOPIC)));
        assertThat(header(dead, DeadLetters.REASON)).endsWith(": the record's value is " + (LIMIT + 1)
                + " bytes, over the limit of " + LIMIT + " bytes (FERRY_MAX_BODY_SIZE)");
        assertThat(dead.key()).isEqualTo("big");
        assertThat(dead.value()).as("the value is what did not fit").isNull();
        assertThat(header(dead, DeadLetters.OFFSET)).isEqualTo("0");
    }

    @Test
    void aDirectProducersInvokeWithABodyOverTheLimitIsDeadLetteredWithTheReason() throws Exception {
        String tag = UUID.randomUUID().toString();
        String big = "\"" + tag + "x".repeat(LIMIT - 1 - tag.length()) + "\"";
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(prefix + "log", tag.getBytes(StandardCharsets.UTF_8),
                    ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Echo\",\"handler\":\"echo\"},\"body\":" + big
                            + "}").getBytes(StandardCharsets.UTF_8))).get();
        }

        ConsumerRecord<String, byte[]> dead = readUntil(prefix + "dead-letter", r -> tag.equals(r.key()));
        assertThat(header(dead, DeadLetters.REASON)).startsWith("the body is " + (LIMIT + 1)
                + " bytes, over the limit of " + LIMIT + " bytes (FERRY_MAX_BODY_SIZE)");
        assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.REJECTED_RECORD);
        // A rejected record is kept as a bounded copy, which says how large it was.
        assertThat(dead.value().length).isLessThan(LIMIT);
        assertThat(header(dead, DeadLetters.ORIGINAL_SIZE)).isNotNull();
        assertThat(echo.bodies()).noneMatch(b -> b.contains(tag));
        assertPlainCallIsPrompt();
    }

    @Test
    void topicsMadeForASmallerLimitAreRaisedAtStart() throws Exception {
        String smaller = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(smaller + "log", Optional.of(4), Optional.empty())
                            .configs(Map.of("max.message.bytes", "1048576")),
                    new NewTopic(smaller + "processor-inputs-changelog", Optional.of(4), Optional.empty())
                            .configs(Map.of("max.message.bytes", "1048576", "cleanup.policy", "compact"))))
                    .all().get();
        }
        try (FerryHarness raised = FerryHarness.onSharedKafka().with("FERRY_TOPIC_PREFIX", smaller)
                .with("FERRY_MAX_BODY_SIZE", Integer.toString(LIMIT)).start();
                Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            var configs = admin.describeConfigs(List.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, smaller + "log"),
                    new ConfigResource(ConfigResource.Type.TOPIC, smaller + "processor-inputs-changelog"),
                    new ConfigResource(ConfigResource.Type.TOPIC, smaller + "dead-letter"))).all().get();
            int record = 2 * LIMIT + 4 * 1024 * 1024;
            configs.forEach((topic, config) -> assertThat(config.get("max.message.bytes").value()).as(topic.name())
                    .isEqualTo(Integer.toString(topic.name().endsWith("dead-letter") ? record + 1024 * 1024 : record)));
        }
    }

    /**
     * The case, at the default limit: a /send of exactly 32 MiB (one JSON string), and 32 MiB of bytes. Each
     * takes seconds on a quiet machine; the requests may wait minutes on a busy one, which is not what is tested.
     */
    @Test
    void atTheDefaultLimitOfThirtyTwoMebibytesASendAndACallComeBackIntact() throws Exception {
        int limit = 32 * 1024 * 1024;
        // Ferry's default lease (15 s), not the harness's 2 s: on a busy machine, fetching an attempt of 32 MiB and
        // renewing its lease can take longer than 2 s, and the attempt would run again and again.
        try (FerryHarness defaults = FerryHarness.onSharedKafka().with("FERRY_DISPATCH_LEASE", "15s").start()) {
            echo.register(defaults);
            String ingress = "http://127.0.0.1:" + defaults.server().ingressPort();
            byte[] json = bodyOf(limit, "application/json");
            String key = "default-limit-" + UUID.randomUUID();

            long started = System.nanoTime();
            HttpResponse<byte[]> sent = patiently(HttpRequest.newBuilder(URI.create(ingress + "/Echo/echo/send"))
                    .header("content-type", "application/json").header("idempotency-key", key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json)));
            assertThat(sent.statusCode()).isEqualTo(202);
            HttpResponse<byte[]> attached = patiently(HttpRequest.newBuilder(
                    URI.create(ingress + "/restate/invocation/Echo/echo/" + key + "/attach")).GET());
            log("send+attach", "application/json", limit, started);
            assertThat(attached.statusCode()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo(json);

            byte[] bytes = bodyOf(limit, "application/octet-stream");
            started = System.nanoTime();
            HttpResponse<byte[]> called = patiently(HttpRequest.newBuilder(URI.create(ingress + "/Echo/echo"))
                    .header("content-type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
            log("call", "application/octet-stream", limit, started);
            assertThat(called.statusCode()).isEqualTo(200);
            assertThat(called.body()).isEqualTo(bytes);

            Http.Response over = defaults.ingress().postExpectingContinue("/Echo/echo/send", new byte[limit + 1],
                    "content-type", "application/octet-stream");
            assertThat(over.status()).isEqualTo(413);
            assertPlainCallIsPrompt(defaults);
        }
    }

    private static HttpResponse<byte[]> patiently(HttpRequest.Builder request) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void assertPlainCallIsPrompt() {
        assertPlainCallIsPrompt(ferry);
    }

    /**
     * Whatever came before, a plain small call answers promptly: within a second on a quiet machine (the time is
     * printed); the bound leaves room for a CI machine busy with other builds.
     */
    private static void assertPlainCallIsPrompt(FerryHarness harness) {
        long started = System.nanoTime();
        Http.Response response = harness.ingress().postJson("/Echo/echo", "{\"ping\":true}");
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("LIMITS plain call after: %d ms%n", millis);
        assertThat(response.status()).isEqualTo(200);
        assertThat(millis).isLessThan(3_000);
    }

    private static void log(String what, String contentType, int size, long startedNanos) {
        System.out.printf("LIMITS %s %s %d bytes: %d ms%n", what, contentType, size,
                (System.nanoTime() - startedNanos) / 1_000_000);
    }

    /** Exactly {@code size} bytes: one JSON string with multi-byte characters, or random bytes. */
    private static byte[] bodyOf(int size, String contentType) {
        byte[] body = new byte[size];
        if (contentType.equals("application/json")) {
            byte[] pattern = "Fährt über 漢字 ".getBytes(StandardCharsets.UTF_8);
            // Whole patterns only, so no character is cut in half; ASCII up to the closing quote.
            int whole = (size - 2) / pattern.length * pattern.length;
            body[0] = '"';
            for (int i = 0; i < size - 2; i++) {
                body[1 + i] = i < whole ? pattern[i % pattern.length] : (byte) 'x';
            }
            body[size - 1] = '"';
        } else {
            new Random(size).nextBytes(body);
        }
        return body;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * LIMIT));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        }
    }

    /** The sizes of the values appended to a topic since {@code from}, up to its end now. */
    private static List<Integer> valueSizesSince(String topic, Map<TopicPartition, Long> from) throws Exception {
        Map<TopicPartition, Long> to = endOffsets(topic);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        List<Integer> sizes = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
                        sizes.add(r.value() == null ? 0 : r.value().length);
                    }
                });
                return to.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        return sizes;
    }

    private static ConsumerRecord<String, byte[]> readUntilKey(String topic, String key) {
        return readUntil(topic, r -> key.equals(r.key()));
    }

    /** Reads a topic from its beginning until a record matches. */
    private static ConsumerRecord<String, byte[]> readUntil(String topic, Predicate<ConsumerRecord<String, byte[]>> match) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> found = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (match.test(r)) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
        }
        return found.get(0);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * A service for these tests: {@code echo} answers the body and content type it got; {@code reject} answers 400;
     * {@code huge} answers one byte more than the limit; {@code endless} sends its headers and then a byte every
     * 20 ms, forever (its inactivity timeout is 500 ms).
     */
    private static final class EchoService implements AutoCloseable {
        private static final String MANIFEST = """
                {"protocolMode":"REQUEST_RESPONSE","minProtocolVersion":1,"maxProtocolVersion":1,"services":[
                  {"name":"Echo","ty":"SERVICE","handlers":[
                    {"name":"echo"},{"name":"reject"},{"name":"huge"},
                    {"name":"endless","inactivityTimeout":500,"retryPolicyInitialInterval":50}]}]}""";

        private final HttpServer server;
        private final Map<String, List<Long>> calls = new ConcurrentHashMap<>();
        private final List<String> smallBodies = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        EchoService() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                try (exchange) {
                    handle(exchange);
                } catch (IOException e) {
                    // the caller went away (an aborted attempt)
                }
            });
            server.start();
        }

        void register(FerryHarness harness) {
            Http.Response registered = harness.admin().postJson("/deployments",
                    "{\"uri\":\"http://127.0.0.1:" + server.getAddress().getPort() + "\"}");
            assertThat(registered.status()).as(registered::toString).isIn(200, 201);
        }

        List<Long> calls(String handler) {
            return new ArrayList<>(calls.getOrDefault(handler, List.of()));
        }

        List<String> bodies() {
            return smallBodies;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/discover")) {
                respond(exchange, 200, "application/json", MANIFEST.getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            String handler = path.substring(path.lastIndexOf('/') + 1);
            calls.computeIfAbsent(handler, h -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            if (body.length < 1024) {
                smallBodies.add(new String(body, StandardCharsets.UTF_8));
            }
            String contentType = exchange.getRequestHeaders().getFirst("content-type");
            switch (handler) {
                case "echo" -> respond(exchange, 200, contentType, body);
                case "reject" -> respond(exchange, 400, "application/json",
                        "{\"message\":\"rejected\"}".getBytes(StandardCharsets.UTF_8));
                case "huge" -> respond(exchange, 200, "application/octet-stream", new byte[LIMIT + 1]);
                case "endless" -> {
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    while (!closed) {
                        out.write('.');
                        out.flush();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                default -> respond(exchange, 404, "text/plain", "no such handler".getBytes(StandardCharsets.UTF_8));
            }
        }

        private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
                throws IOException {
            if (contentType != null) {
                exchange.getResponseHeaders().add("content-type", contentType);
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }

        @Override
        public void close() {
            closed = true;
            server.stop(0);
        }
    }
}
