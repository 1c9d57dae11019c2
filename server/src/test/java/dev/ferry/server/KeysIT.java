package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.HeaderValues;
import dev.ferry.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keys are any UTF-8 text, end to end: object keys, workflow ids and idempotency keys outside Latin-1, with spaces,
 * slashes (encoded in the URL), a percent sign, a plus, a newline, leading and trailing spaces, through every URL
 * form, and the service receives exactly the key (sent percent-encoded in {@code x-restate-key} and
 * {@code idempotency-key}, which a test-local service decodes and echoes). Kafka record headers that are not text
 * reach a subscribed handler base64-encoded under {@code <name>-bin}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysIT {
    private static final String MANIFEST = """
            {"services":[
              {"name":"Keys","ty":"VIRTUAL_OBJECT","handlers":[{"name":"echo","ty":"EXCLUSIVE"}]},
              {"name":"KeyFlow","ty":"WORKFLOW","handlers":[{"name":"run","ty":"WORKFLOW"}]},
              {"name":"Plain","ty":"SERVICE","handlers":[{"name":"echo"}]}]}""";

    private FerryHarness ferry;
    private ExampleService example;
    private HttpServer echo;
    /** What the echo service received, by invocation id. */
    private final Map<String, ObjectNode> received = new ConcurrentHashMap<>();
    /** How often the echo service ran, by invocation id. */
    private final Map<String, Integer> runs = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        example = ferry.registerExample();
        echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        echo.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        echo.createContext("/invoke/", this::echo);
        echo.start();
        Http.Response registered = ferry.admin().postJson("/deployments", "{\"uri\":\"http://127.0.0.1:"
                + echo.getAddress().getPort() + "\",\"manifest\":" + MANIFEST + "}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        if (echo != null) {
            echo.stop(0);
        }
        ferry.close();
    }

    /** Answers with the decoded key, idempotency key and every {@code x-} header it received. */
    private void echo(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            ObjectNode out = Json.MAPPER.createObjectNode();
            String rawKey = exchange.getRequestHeaders().getFirst("x-restate-key");
            String rawIdempotencyKey = exchange.getRequestHeaders().getFirst("idempotency-key");
            out.put("key", rawKey == null ? null : HeaderValues.percentDecode(rawKey));
            out.put("idempotencyKey", rawIdempotencyKey == null ? null : HeaderValues.percentDecode(rawIdempotencyKey));
            ObjectNode headers = out.putObject("headers");
            exchange.getRequestHeaders().forEach((name, values) -> {
                String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("x-") || lower.startsWith("kafka.")) {
                    headers.put(lower, values.get(0));
                }
            });
            String id = exchange.getRequestHeaders().getFirst("x-restate-id");
            received.put(id, out);
            runs.merge(id, 1, Integer::sum);
            byte[] body = Json.MAPPER.writeValueAsBytes(out);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    static Stream<String> keys() {
        return Stream.of("€", "漢字", "😀 emoji", "a b", "a/b", "a%2Fb", "100%", "1+1", "line1\nline2",
                " leading", "trailing ", "ü-latin1", "quote\"and'apostrophe");
    }

    @ParameterizedTest
    @MethodSource("keys")
    void anObjectKeyReachesTheServiceExactlyThroughEveryUrlForm(String key) throws IOException {
        String unique = key + "#" + UUID.randomUUID().toString().substring(0, 6);
        String path = enc(unique);

        Http.Response classic = ferry.ingress().postJson("/Keys/" + path + "/echo", "{}");
        assertThat(classic.status()).as(classic.toString()).isEqualTo(200);
        assertThat(json(classic).get("key").asText()).isEqualTo(unique);

        Http.Response restateForm = ferry.ingress().postJson("/restate/call/Keys/" + path + "/echo", "{}");
        assertThat(restateForm.status()).as(restateForm.toString()).isEqualTo(200);
        assertThat(json(restateForm).get("key").asText()).isEqualTo(unique);

        // By the invocation id: attach and output of the call above.
        String id = restateForm.header("x-restate-id");
        assertThat(json(ferry.ingress().get("/restate/invocation/" + id + "/output")).get("key").asText())
                .isEqualTo(unique);
        assertThat(json(ferry.ingress().get("/restate/attach/" + id)).get("key").asText()).isEqualTo(unique);
    }

    @ParameterizedTest
    @MethodSource("keys")
    void anIdempotencyKeyReachesTheServiceAndFindsItsInvocationByKeyInEveryForm(String idempotencyKey)
            throws Exception {
        String objectKey = "k " + UUID.randomUUID().toString().substring(0, 6) + " €";
        String unique = idempotencyKey + "#" + UUID.randomUUID().toString().substring(0, 6);
        // Over HTTP the key travels as the raw UTF-8 bytes curl sends. A newline cannot travel in a header at all,
        // and HTTP strips a value's leading and trailing spaces, so those keys are given through Kafka instead.
        boolean headerSafe = !unique.contains("\n") && unique.equals(unique.strip());
        if (headerSafe) {
            RawResponse sent = raw("POST /Keys/" + enc(objectKey) + "/echo/send HTTP/1.1", unique, "{}");
            assertThat(sent.status()).as(sent.body()).isEqualTo(202);
            RawResponse repeated = raw("POST /Keys/" + enc(objectKey) + "/echo HTTP/1.1", unique, "{}");
            assertThat(repeated.status()).as(repeated.body()).isEqualTo(200);
            JsonNode answer = Json.MAPPER.readTree(repeated.body());
            assertThat(answer.get("key").asText()).isEqualTo(objectKey);
            assertThat(answer.get("idempotencyKey").asText()).isEqualTo(unique);
        } else {
            produceInvoke("Keys", "echo", objectKey, unique);
        }

        String byKey = "/restate/invocation/Keys/" + enc(objectKey) + "/echo/" + enc(unique);
        // A record produced onto the log may reach its partition after the attach does: wait until it is known.
        await().atMost(Duration.ofSeconds(20)).until(() -> ferry.ingress().get(byKey + "/output").status() == 200);
        Http.Response attached = ferry.ingress().get(byKey + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        assertThat(json(attached).get("idempotencyKey").asText()).isEqualTo(unique);
        assertThat(json(attached).get("key").asText()).isEqualTo(objectKey);
        Http.Response output = ferry.ingress().get(byKey + "/output");
        assertThat(output.status()).as(output.toString()).isEqualTo(200);
        assertThat(output.header("idempotency-expires")).isNotNull();
        String id = attached.header("x-restate-id");
        assertThat(runs.get(id)).as("the handler ran once for the key").isEqualTo(1);
        assertThat(received.get(id).get("idempotencyKey").asText()).isEqualTo(unique);
    }

    @Test
    void anIdempotencyKeyOnAPlainServiceIsTheSameKeyInTheHeaderAndInTheAttachUrl() throws IOException {
        String key = "€ " + UUID.randomUUID().toString().substring(0, 6) + " 漢/😀";
        RawResponse called = raw("POST /Plain/echo HTTP/1.1", key, "{}");
        assertThat(called.status()).as(called.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(called.body()).get("idempotencyKey").asText()).isEqualTo(key);

        Http.Response output = ferry.ingress().get("/restate/invocation/Plain/echo/" + enc(key) + "/output");
        assertThat(output.status()).as(output.toString()).isEqualTo(200);
        assertThat(json(output).get("idempotencyKey").asText()).isEqualTo(key);
    }

    @ParameterizedTest
    @MethodSource("keys")
    void aWorkflowIdReachesTheServiceAndNamesItsRunForAttachAndOutput(String workflowId) throws IOException {
        String unique = workflowId + "#" + UUID.randomUUID().toString().substring(0, 6);
        Http.Response run = ferry.ingress().postJson("/KeyFlow/" + enc(unique) + "/run", "{}");
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        assertThat(json(run).get("key").asText()).isEqualTo(unique);

        Http.Response attached = ferry.ingress().get("/restate/workflow/KeyFlow/" + enc(unique) + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        assertThat(json(attached).get("key").asText()).isEqualTo(unique);
        Http.Response output = ferry.ingress().get("/restate/workflow/KeyFlow/" + enc(unique) + "/output");
        assertThat(json(output).get("key").asText()).isEqualTo(unique);
        assertThat(attached.header("x-restate-id")).isEqualTo(run.header("x-restate-id"));
    }

    @Test
    void theExampleServiceDecodesTheKeyItReceives() {
        String key = "€ 漢 " + UUID.randomUUID().toString().substring(0, 6);
        Http.Response added = ferry.ingress().postJson("/Counter/" + enc(key) + "/add", "3");
        assertThat(added.status()).as(added.toString()).isEqualTo(200);
        assertThat(added.body()).isEqualTo("3");
        assertThat(example.executions("add:" + key)).isEqualTo(1);
    }

    @Test
    void aSubscriptionPassesBinaryAndNonAsciiRecordHeadersAsBase64BinHeaders() throws Exception {
        String topic = "keys-in-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
        }
        byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n', 'A'};
        String recordKey = "漢 key/€";
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
                    recordKey.getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
            record.headers().add("x-binary", binary);
            record.headers().add("x-text", "漢字 €".getBytes(StandardCharsets.UTF_8));
            record.headers().add("x-plain", "just ascii".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
        Http.Response created = ferry.admin().postJson("/subscriptions",
                "{\"source\":\"kafka://default/" + topic + "\",\"sink\":\"service://Keys/echo\","
                        + "\"options\":{\"auto.offset.reset\":\"earliest\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(30)).until(() -> received.values().stream()
                .anyMatch(r -> topic.equals(r.path("headers").path("kafka.topic").asText())));
        ObjectNode got = received.values().stream()
                .filter(r -> topic.equals(r.path("headers").path("kafka.topic").asText())).findFirst().orElseThrow();
        JsonNode headers = got.get("headers");
        assertThat(got.get("key").asText()).isEqualTo(recordKey);
        assertThat(Base64.getDecoder().decode(headers.get("x-binary-bin").asText())).isEqualTo(binary);
        assertThat(new String(Base64.getDecoder().decode(headers.get("x-text-bin").asText()), StandardCharsets.UTF_8))
                .isEqualTo("漢字 €");
        assertThat(headers.get("x-plain").asText()).isEqualTo("just ascii");
        assertThat(headers.has("x-binary")).isFalse();
    }

    /** An {@code Invoke} produced straight onto the log, for a key no HTTP header can carry. */
    private void produceInvoke(String service, String handler, String objectKey, String idempotencyKey)
            throws Exception {
        ObjectNode invoke = Json.MAPPER.createObjectNode().put("type", "Invoke");
        invoke.putObject("target").put("service", service).put("handler", handler).put("key", objectKey);
        invoke.put("idempotencyKey", idempotencyKey);
        invoke.putObject("body");
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(ferry.env.get("FERRY_TOPIC_PREFIX") + "log",
                    objectKey.getBytes(StandardCharsets.UTF_8), Json.MAPPER.writeValueAsBytes(invoke))).get();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private record RawResponse(int status, String body) {}

    /**
     * A request written byte for byte, as curl writes {@code -H 'idempotency-key: €'}: the header value is the key's
     * raw UTF-8 bytes (the JDK's client would send '?' for each non-ASCII character).
     */
    private RawResponse raw(String requestLine, String idempotencyKey, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write((requestLine + "\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length + "\r\nconnection: close\r\nidempotency-key: ").getBytes(StandardCharsets.US_ASCII));
        request.write(idempotencyKey.getBytes(StandardCharsets.UTF_8));
        request.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        request.write(body);
        try (Socket socket = new Socket("127.0.0.1", ferry.server().ingressPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headers.substring(9, 12));
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(headers);
            assertThat(length.find()).as(headers).isTrue();
            byte[] responseBody = in.readNBytes(Integer.parseInt(length.group(1)));
            return new RawResponse(status, new String(responseBody, StandardCharsets.UTF_8));
        }
    }

    /** Percent-encodes a key for a URL path segment, as a client does. */
    private static String enc(String key) {
        return HeaderValues.percentEncode(key);
    }

    private static JsonNode json(Http.Response response) throws IOException {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }
}
