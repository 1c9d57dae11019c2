package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.protocol.AwakeableId;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Notify;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Awakeables resolved and rejected over the ingress, on a real broker: each request is a {@link Notify} record on
 * the ingress's command topic, keyed by the invocation id, on the partition of the id's partition key, there by the
 * time the 202 comes; a malformed id is Restate's 400. The invocation named does not exist (the processor ignores
 * a Notify for it), so the records are all there is to see.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwakeablesIT {
    private FerryHarness ferry;
    private Topics topics;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        topics = new Topics(ferry.env.get("FERRY_TOPIC_PREFIX"));
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @Test
    void resolveAndRejectAreNotifyRecordsOnTheInvocationsPartition() throws Exception {
        InvocationId target = InvocationId.random(Routing.partitionKey("awakeable-" + UUID.randomUUID()));
        AwakeableId awakeable = AwakeableId.of(target.toBytes(), 17);

        Http.Response resolved = ferry.ingress().postJson("/restate/awakeables/" + awakeable + "/resolve",
                "{\"hello\":\"world\"}");
        Http.Response rejected = ferry.ingress().method("POST", "/restate/awakeables/" + awakeable + "/reject",
                "Very bad error!", "content-type", "text/plain");

        assertThat(resolved.status()).as(resolved.toString()).isEqualTo(202);
        assertThat(resolved.body()).isEmpty();
        assertThat(rejected.status()).as(rejected.toString()).isEqualTo(202);
        assertThat(rejected.body()).isEmpty();

        List<ConsumerRecord<String, byte[]>> records = readUntilTwo(topics.requests(), target.toString());
        int partitions = partitions(topics.requests());
        assertThat(records).allSatisfy(record ->
                assertThat(record.partition()).isEqualTo(Routing.partition(target.partitionKey(), partitions)));

        Notify resolve = (Notify) Json.read(records.get(0).value(), Command.class);
        assertThat(resolve.invocationId()).isEqualTo(target);
        assertThat(resolve.signalIndex()).isEqualTo(17);
        assertThat(resolve.value().utf8()).isEqualTo("{\"hello\":\"world\"}");
        assertThat(resolve.failure()).isNull();

        Notify reject = (Notify) Json.read(records.get(1).value(), Command.class);
        assertThat(reject.invocationId()).isEqualTo(target);
        assertThat(reject.signalIndex()).isEqualTo(17);
        assertThat(reject.value().isEmpty()).isTrue();
        assertThat(reject.failure()).isEqualTo(new Failure(500, "Very bad error!"));
    }

    @Test
    void aMalformedIdIsRestates400OnResolveAndReject() {
        for (String action : List.of("resolve", "reject")) {
            Http.Response response = ferry.ingress().postJson("/restate/awakeables/garbage/" + action, "{}");

            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.header("x-restate-error-source")).isEqualTo("ingress");
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertThat(response.body()).isEqualTo(
                    "{\"code\":400,\"message\":\"bad awakeable id 'garbage': bad format\",\"source\":\"ingress\"}");
        }
    }

    /** Reads the topic from the beginning until two records with this key came; returns them in log order. */
    private static List<ConsumerRecord<String, byte[]>> readUntilTwo(String topic, String key) {
        List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (key.equals(record.key())) {
                        records.add(record);
                    }
                });
                return records.size() >= 2;
            });
        }
        assertThat(records).hasSize(2);
        return records;
    }

    private static int partitions(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            return consumer.partitionsFor(topic).size();
        }
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
