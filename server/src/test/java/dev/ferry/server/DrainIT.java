package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A graceful shutdown on a real broker: the dispatcher that took an attempt in memory, from this process's processor,
 * commits past its record before it stops, so the partition's next dispatcher does not run the attempt again.
 */
class DrainIT {
    @Test
    void aShutdownRightAfterACallStartedLeavesItsAttemptToNoOtherDispatcher() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().start()) {
            ExampleService example = ferry.registerExample();
            Http api = ferry.ingress();
            // Calls in a row: the dispatcher's fetches only confirm what it took in memory, so it fetches less often.
            for (int i = 0; i < 40; i++) {
                assertThat(api.postJson("/Greeter/greet", "{\"name\":\"warm-" + i + "\"}").status()).isEqualTo(200);
            }
            CompletableFuture<Http.Response> open =
                    api.postJsonAsync("/Greeter/slow", "{\"ms\":300,\"tag\":\"drained\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> example.executions("slow:drained") == 1);

            ferry.server().shutdown(Duration.ofSeconds(15));

            Http.Response answered = open.get();
            assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
            String dispatchKey = answered.header("x-restate-id") + "/1";
            Topics topics = FerryConfig.load(ferry.env).topics();
            Map<String, Object> kafka = Map.of("bootstrap.servers", TestKafka.bootstrapServers());
            ConsumerRecord<String, byte[]> dispatch = find(kafka, topics.dispatch(), dispatchKey);
            TopicPartition partition = new TopicPartition(dispatch.topic(), dispatch.partition());
            try (Admin admin = Admin.create(kafka)) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(topics.dispatcherGroup())
                        .partitionsToOffsetAndMetadata().get().get(partition);
                assertThat(committed).as("the dispatchers' committed offset of " + partition).isNotNull();
                assertThat(committed.offset()).as("committed past the attempt's dispatch at offset "
                        + dispatch.offset()).isGreaterThan(dispatch.offset());
            }
        }
    }

    private static ConsumerRecord<String, byte[]> find(Map<String, Object> kafka, String topic, String key) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.get("bootstrap.servers"),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        return record;
                    }
                }
            }
            throw new AssertionError("no dispatch record keyed " + key + " in " + topic);
        }
    }
}
