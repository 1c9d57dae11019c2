package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.results.DeadLetters;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Ferry used from Kafka: records produced straight onto the log, subscriptions, results and dead letters. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaNativeIT {
    private FerryHarness ferry;
    private ExampleService example;
    private String prefix;
    private KafkaProducer<String, String> producer;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        example = ferry.registerExample();
        prefix = ferry.env.get("FERRY_TOPIC_PREFIX");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight: on a partition created a moment ago, Kafka 4.3 can append a later request before
        // an earlier one it refused (NOT_LEADER_OR_FOLLOWER) and then refuse that one forever (KAFKA-15591).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    void stop() {
        producer.close();
        ferry.close();
    }

    @Test
    void anInvocationProducedStraightOntoTheLogRunsAndCanBeAttachedOverHttp() throws Exception {
        // As a plain Kafka producer writes it: keyed by its routing key (here the idempotency key), no id, no types.
        producer.send(new ProducerRecord<>(prefix + "log", "direct-1", """
                {"type":"Invoke","target":{"service":"Greeter","handler":"greet"},"idempotencyKey":"direct-1",
                 "body":{"name":"Kafka","tag":"direct-1"}}""")).get();

        Http.Response attached = ferry.ingress().get("/restate/invocation/Greeter/greet/direct-1/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        assertThat(attached.body()).isEqualTo("{\"greeting\":\"Hello Kafka\",\"name\":\"Kafka\",\"tag\":\"direct-1\"}");
        assertThat(example.executions("greet:direct-1")).isEqualTo(1);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWhileTheGoodOnesAroundThemRun() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        producer.send(new ProducerRecord<>(prefix + "log", "k", good(run + "-a"))).get();
        producer.send(new ProducerRecord<>(prefix + "log", "k", "{not json at all")).get();
        producer.send(new ProducerRecord<>(prefix + "log", "k",
                "{\"type\":\"Invoke\",\"target\":{\"service\":\"NoSuchService\",\"handler\":\"x\"},\"body\":\"" + run
                        + "\"}")).get();
        producer.send(new ProducerRecord<>(prefix + "log", "k", good(run + "-b"))).get();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                example.executions("greet:" + run + "-a") == 1 && example.executions("greet:" + run + "-b") == 1);
        List<ConsumerRecord<String, String>> dead = readUntil(prefix + "dead-letter",
                records -> records.stream().filter(r -> r.value().contains(run) || r.value().startsWith("{not json"))
                        .count() >= 2);
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).as("the original bytes").isEqualTo("{not json at all");
            assertThat(header(r, DeadLetters.REASON)).startsWith("not a valid command: not JSON");
            assertThat(header(r, DeadLetters.KIND)).isEqualTo(DeadLetters.REJECTED_RECORD);
            assertThat(header(r, DeadLetters.TOPIC)).isEqualTo(prefix + "log");
        });
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).contains(run);
            assertThat(header(r, DeadLetters.REASON)).isEqualTo("service 'NoSuchService' is not registered");
        });
    }

    @Test
    void aSubscriptionKeepsPerKeyOrderOverAThousandRecordsAndPassesTheirHeadersOn() throws Exception {
        String topic = "ledger-in-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(topic, 3);
        for (int i = 0; i < 1_000; i++) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, "order-" + (i % 3),
                    "{\"n\":" + i + "}");
            record.headers().add("x-trace", ("t-" + i).getBytes(StandardCharsets.UTF_8));
            producer.send(record);
        }
        producer.flush();

        String body = "{\"source\":\"kafka://default/" + topic + "\",\"sink\":\"service://Ledger/append\"}";
        Http.Response created = ferry.admin().postJson("/subscriptions", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = Json.MAPPER.readTree(created.body()).get("id").asText();
        assertThat(id).startsWith("sub_1");
        Http.Response again = ferry.admin().postJson("/subscriptions", body);
        assertThat(again.status()).as("the same subscription again").isEqualTo(200);
        assertThat(Json.MAPPER.readTree(again.body()).get("id").asText()).isEqualTo(id);

        await().atMost(Duration.ofSeconds(90)).until(() -> ledgerSize("order-0") + ledgerSize("order-1")
                + ledgerSize("order-2") == 1_000);
        for (int key = 0; key < 3; key++) {
            JsonNode entries = entries("order-" + key);
            List<Integer> values = new ArrayList<>();
            entries.forEach(entry -> values.add(entry.get("value").get("n").asInt()));
            assertThat(values).as("order-%d in topic order", key).isSorted().doesNotHaveDuplicates();
            JsonNode first = entries.get(0);
            int n = first.get("value").get("n").asInt();
            assertThat(first.get("headers").get("x-trace").asText()).isEqualTo("t-" + n);
            assertThat(first.get("headers").get("kafka.topic").asText()).isEqualTo(topic);
            assertThat(first.get("headers").has("kafka.offset")).isTrue();
            assertThat(first.get("headers").has("kafka.partition")).isTrue();
            assertThat(first.get("headers").has("kafka.timestamp")).isTrue();
        }
        assertThat(ferry.admin().get("/subscriptions/" + id).status()).isEqualTo(200);
        assertThat(ferry.admin().method("DELETE", "/subscriptions/" + id, null).status()).isEqualTo(202);
        assertThat(ferry.admin().get("/subscriptions/" + id).status()).isEqualTo(404);
    }

    @Test
    void aSubscriptionToATopicThatDoesNotExistIsRefused() {
        Http.Response refused = ferry.admin().postJson("/subscriptions",
                "{\"source\":\"kafka://default/no-such-topic\",\"sink\":\"service://Greeter/greet\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("topic 'no-such-topic' does not exist");
        Http.Response unknownCluster = ferry.admin().postJson("/subscriptions",
                "{\"source\":\"kafka://elsewhere/t\",\"sink\":\"service://Greeter/greet\"}");
        assertThat(unknownCluster.status()).isEqualTo(400);
        assertThat(unknownCluster.body()).contains("unknown cluster 'elsewhere'");
    }

    @Test
    void resultsAndFailuresArePublishedWhenTheServiceAsks() throws Exception {
        ferry.admin().method("PATCH", "/services/Greeter",
                "{\"publish_results\":true,\"dead_letter_failures\":true}", "content-type", "application/json");
        try {
            Http.Response ok = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Published\"}");
            Http.Response failed = ferry.ingress().postJson("/Greeter/fail", "{\"message\":\"dead-lettered\"}");
            String okId = ok.header("x-restate-id");
            String failedId = failed.header("x-restate-id");

            List<ConsumerRecord<String, String>> results = readUntil(prefix + "results", records ->
                    records.stream().anyMatch(r -> okId.equals(r.key()))
                            && records.stream().anyMatch(r -> failedId.equals(r.key())));
            JsonNode success = Json.MAPPER.readTree(find(results, okId).value());
            assertThat(success.get("status").asText()).isEqualTo("succeeded");
            assertThat(success.get("target").get("service").asText()).isEqualTo("Greeter");
            assertThat(success.get("result").get("body").get("greeting").asText()).isEqualTo("Hello Published");
            JsonNode failure = Json.MAPPER.readTree(find(results, failedId).value());
            assertThat(failure.get("status").asText()).isEqualTo("failed");
            assertThat(failure.get("failure").get("message").asText()).isEqualTo("dead-lettered");

            List<ConsumerRecord<String, String>> dead = readUntil(prefix + "dead-letter",
                    records -> records.stream().anyMatch(r -> failedId.equals(r.key())));
            ConsumerRecord<String, String> deadLetter = find(dead, failedId);
            assertThat(header(deadLetter, DeadLetters.KIND)).isEqualTo(DeadLetters.FAILED_INVOCATION);
            JsonNode failedInvocation = Json.MAPPER.readTree(deadLetter.value());
            assertThat(failedInvocation.get("failure").get("code").asInt()).isEqualTo(400);
            assertThat(failedInvocation.get("body").get("message").asText()).as("with its input")
                    .isEqualTo("dead-lettered");
        } finally {
            ferry.admin().method("PATCH", "/services/Greeter",
                    "{\"publish_results\":null,\"dead_letter_failures\":null}", "content-type", "application/json");
        }
    }

    private int ledgerSize(String key) throws IOException {
        return entries(key).size();
    }

    private JsonNode entries(String key) throws IOException {
        return Json.MAPPER.readTree(ferry.ingress().postJson("/Ledger/" + key + "/entries", "").body());
    }

    private static String good(String tag) {
        return "{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},\"body\":{\"tag\":\""
                + tag + "\"}}";
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get();
        }
    }

    /** Reads a topic from the beginning until the records read so far satisfy {@code done}. */
    private static List<ConsumerRecord<String, String>> readUntil(String topic,
            java.util.function.Predicate<List<ConsumerRecord<String, String>>> done) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return done.test(records);
            });
        }
        return records;
    }

    private static ConsumerRecord<String, String> find(List<ConsumerRecord<String, String>> records, String key) {
        return records.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
