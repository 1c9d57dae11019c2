package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.ReplyListener;
import dev.ferry.client.Waiters;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.replies.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The reply listener on a real broker: a reply handed over in memory and read again from the topic counts once. */
class ReplyListenerIT {
    private static final String INGRESS = "ingress-reply-listener-it";

    @Test
    void aResultHandedOverInMemoryDoesNotAnswerFromTheTopicTheCallersWhoCameLater() throws Exception {
        Map<String, String> kafka = Map.of("bootstrap.servers", TestKafka.bootstrapServers());
        String topic = "replies-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.<String, Object>copyOf(kafka))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Waiters waiters = new Waiters();
        InvocationId invocation = InvocationIds.forSubmission(Target.service("Greeter", "greet"), "once");
        try (ReplyListener listener = new ReplyListener(topic, INGRESS, waiters, kafka, new RecordLimits(1 << 20));
             KafkaProducer<String, byte[]> processor = new KafkaProducer<>(Map.<String, Object>copyOf(kafka),
                     new StringSerializer(), new ByteArraySerializer())) {
            CompletableFuture<Reply> first = waiters.waitFor(invocation, "first", () -> { }, () -> { });
            byte[] result = Json.write(Reply.invocationResult(invocation,
                    Outcome.success(200, "application/json", Payload.of("{}".getBytes(StandardCharsets.UTF_8)))));
            RecordMetadata written = processor.send(new ProducerRecord<>(topic, INGRESS, result)).get();
            listener.offer(written.partition(), written.offset(), INGRESS.getBytes(StandardCharsets.UTF_8), result);
            assertThat(first).isCompleted();

            // A caller that comes to wait for the same invocation afterwards gets its own answer from the processor,
            // not the record above read again from the topic.
            CompletableFuture<Reply> later = waiters.waitFor(invocation, "later", () -> { }, () -> { });
            CompletableFuture<Reply> marker = waiters.register("marker");
            processor.send(new ProducerRecord<>(topic, INGRESS,
                    Json.write(Reply.of(Reply.Kind.NOT_FOUND, "marker", invocation)))).get();
            listener.start();

            assertThat(marker.get(30, TimeUnit.SECONDS).requestId()).isEqualTo("marker");
            assertThat(later).as("answered by the handed-over result read again").isNotDone();
        }
    }
}
