package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.schemas.results.DeadLetters;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Numbers out of range (a delay, a {@code Prefer: wait}, a retention, a timeout) are refused with 400 naming the
 * value before anything is written, and a direct producer's are dead-lettered with the reason. Restate answers a
 * delay it cannot read with {@code 400 {"code":400,"message":"bad delay query parameter, must be a ISO8601
 * duration: …","source":"ingress"}}; Ferry keeps that shape for delays too long to keep.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NumbersIT {
    private FerryHarness ferry;
    private Http ingress;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        ferry.registerExample();
        ingress = ferry.ingress();
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"106751991167d", "36501d", "9223372036854775807ms", "99999999999999999999s", "P36501D",
            "PT9223372036854775807S"})
    void aDelayTooLongToKeepIs400NamingItAndNothingIsWritten(String delay) {
        String key = "delay-" + UUID.randomUUID();
        Http.Response refused = ingress.postJson("/Greeter/greet/send?delay=" + delay, "{\"name\":\"x\"}",
                "idempotency-key", key);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body()).startsWith("{\"code\":400,\"message\":\"bad delay query parameter, must be a "
                + "ISO8601 duration: invalid duration '" + delay + "': longer than 36500d")
                .endsWith("\"source\":\"ingress\"}");
        assertThat(ingress.get("/restate/invocation/Greeter/greet/" + key + "/output").status())
                .as("nothing was written").isEqualTo(404);
    }

    @Test
    void aDelayOfAYearIsStillAccepted() {
        String key = "year-" + UUID.randomUUID();
        Http.Response accepted = ingress.postJson("/Greeter/greet/send?delay=365d", "{\"name\":\"later\"}",
                "idempotency-key", key);

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"executionTime\"");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                ingress.get("/restate/invocation/Greeter/greet/" + key + "/output").status() == 470);
    }

    @ParameterizedTest
    @ValueSource(strings = {"wait=-1", "wait=abc", "wait=", "wait=1.5", "wait=99999999999999999999",
            "wait=3153600001"})
    void aPreferWaitThatIsNotASaneNumberOfSecondsIs400BeforeAnythingIsWritten(String preference) {
        String key = "wait-" + UUID.randomUUID();
        Http.Response refused = ingress.postJson("/Greeter/greet", "{\"name\":\"w\"}", "idempotency-key", key,
                "prefer", preference);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body()).contains("bad Prefer header: wait must be a whole number of seconds from 0 to "
                + "3153600000, got '" + preference + "'");
        assertThat(ingress.get("/restate/invocation/Greeter/greet/" + key + "/output").status())
                .as("nothing was written").isEqualTo(404);

        Http.Response attach = ingress.get("/restate/invocation/Greeter/greet/" + key + "/attach", "prefer",
                preference);
        assertThat(attach.status()).as(attach.toString()).isEqualTo(400);
    }

    @Test
    void aPreferWaitInRangeStillWorks() {
        Http.Response answered = ingress.postJson("/Greeter/greet", "{\"name\":\"w\"}", "prefer", "wait=30");
        assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
    }

    @Test
    void serviceSettingsOutOfRangeAre400NamingTheValueAndChangeNothing() throws IOException {
        String before = ferry.admin().get("/services/Greeter").body();

        Http.Response retention = patch("{\"idempotency_retention\":\"106751991167d\"}");
        assertThat(retention.status()).as(retention.toString()).isEqualTo(400);
        assertThat(retention.body()).contains("invalid idempotency_retention: invalid duration '106751991167d': "
                + "longer than 36500d");
        Http.Response timeout = patch("{\"inactivity_timeout\":\"PT9999999999999H\"}");
        assertThat(timeout.status()).as(timeout.toString()).isEqualTo(400);
        assertThat(timeout.body()).contains("'PT9999999999999H'");
        Http.Response interval = patch("{\"retry_policy\":{\"max_interval\":\"5300w\"}}");
        assertThat(interval.status()).as(interval.toString()).isEqualTo(400);
        assertThat(interval.body()).contains("retry_policy.max_interval").contains("'5300w'");
        Http.Response factor = patch("{\"retry_policy\":{\"exponentiation_factor\":1e400}}");
        assertThat(factor.status()).as(factor.toString()).isEqualTo(400);
        assertThat(factor.body()).contains("exponentiation_factor must be a finite number");
        Http.Response attempts = patch("{\"retry_policy\":{\"max_attempts\":99999999999}}");
        assertThat(attempts.status()).as(attempts.toString()).isEqualTo(400);

        assertThat(Json.MAPPER.readTree(ferry.admin().get("/services/Greeter").body()))
                .isEqualTo(Json.MAPPER.readTree(before));
        Http.Response year = patch("{\"journal_retention\":\"365d\"}");
        assertThat(year.status()).as(year.toString()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(year.body()).get("journal_retention").asText()).isEqualTo("365d");
        patch("{\"journal_retention\":null}");
    }

    @Test
    void aDirectProducersDelayOrExecutionTimeOutOfRangeIsDeadLetteredWithTheReason() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String prefix = ferry.env.get("FERRY_TOPIC_PREFIX");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(prefix + "log", "k", "{\"type\":\"Invoke\",\"target\":{\"service\":"
                    + "\"Greeter\",\"handler\":\"greet\"},\"delay\":\"106751991167d\",\"body\":{\"tag\":\"" + run
                    + "-delay\"}}")).get();
            producer.send(new ProducerRecord<>(prefix + "log", "k", "{\"type\":\"Invoke\",\"target\":{\"service\":"
                    + "\"Greeter\",\"handler\":\"greet\"},\"executeAt\":9223372036854775807,\"body\":{\"tag\":\""
                    + run + "-at\"}}")).get();
        }

        List<ConsumerRecord<String, String>> dead = readUntil(prefix + "dead-letter",
                records -> records.stream().filter(r -> r.value().contains(run)).count() >= 2);
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).contains(run + "-delay");
            assertThat(header(r, DeadLetters.REASON)).startsWith("bad delay '106751991167d'")
                    .contains("longer than 36500d");
        });
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).contains(run + "-at");
            assertThat(header(r, DeadLetters.REASON)).startsWith("bad executeAt 9223372036854775807");
        });
        // Other invocations carry on.
        Http.Response call = ingress.postJson("/Greeter/greet", "{\"name\":\"after\"}");
        assertThat(call.status()).isEqualTo(200);
    }

    private Http.Response patch(String json) {
        return ferry.admin().method("PATCH", "/services/Greeter", json, "content-type", "application/json");
    }

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

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
