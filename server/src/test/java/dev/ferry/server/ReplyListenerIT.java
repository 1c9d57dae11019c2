package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.ReplyListener;
import dev.ferry.client.Waiters;
import dev.ferry.schemas.HandOverMark;
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
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The reply listener on a real broker: a reply handed over in memory as the processor sends it, and read again from the
 * topic, counts once.
 */
class ReplyListenerIT {
    private static final String INGRESS = "ingress-reply-listener-it";
    private static final byte[] KEY = INGRESS.getBytes(StandardCharsets.UTF_8);
    private static final long PRODUCER = 7;

    private final Map<String, String> kafka = Map.of("bootstrap.servers", TestKafka.bootstrapServers());
    private final Waiters waiters = new Waiters();
    private final InvocationId invocation = InvocationIds.forSubmission(Target.service("Greeter", "greet"), "once");

    @Test
    void aResultHandedOverBeforeItIsWrittenDoesNotAnswerFromTheTopicTheCallersWhoCameLater() throws Exception {
        String topic = topic();
        try (ReplyListener listener = new ReplyListener(topic, INGRESS, waiters, kafka, new RecordLimits(1 << 20));
             KafkaProducer<String, byte[]> processor = producer()) {
            CompletableFuture<Reply> first = waiters.waitFor(invocation, "first", () -> { }, () -> { });
            byte[] result = Json.write(Reply.invocationResult(invocation,
                    Outcome.success(200, "application/json", Payload.of("{}".getBytes(StandardCharsets.UTF_8)))));
            Headers marked = marked(1);
            listener.offer(0, KEY, result, marked);
            assertThat(first).isCompleted();
            processor.send(new ProducerRecord<>(topic, 0, INGRESS, result, marked)).get();

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

    @Test
    void aHandedOverReplyThatNeverReachedTheTopicHidesNoReplyAfterIt() throws Exception {
        String topic = topic();
        try (ReplyListener listener = new ReplyListener(topic, INGRESS, waiters, kafka, new RecordLimits(1 << 20));
             KafkaProducer<String, byte[]> processor = producer()) {
            listener.start();
            CompletableFuture<Reply> lost = waiters.register("lost");
            CompletableFuture<Reply> handed = waiters.register("handed");
            CompletableFuture<Reply> fetched = waiters.register("fetched");
            CompletableFuture<Reply> unmarked = waiters.register("unmarked");
            // Mark 1's send failed: handed over, never written. Mark 2 handed over and written. Mark 3 written only
            // (the hand-over declined it), as is a reply with no mark (another process's processor).
            listener.offer(0, KEY, reply("lost"), marked(1));
            listener.offer(0, KEY, reply("handed"), marked(2));
            processor.send(new ProducerRecord<>(topic, 0, INGRESS, reply("handed"), marked(2))).get();
            processor.send(new ProducerRecord<>(topic, 0, INGRESS, reply("fetched"), marked(3))).get();
            processor.send(new ProducerRecord<>(topic, 0, INGRESS, reply("unmarked"))).get();

            assertThat(lost).isCompleted();
            assertThat(handed).isCompleted();
            assertThat(fetched.get(30, TimeUnit.SECONDS).requestId()).isEqualTo("fetched");
            assertThat(unmarked.get(30, TimeUnit.SECONDS).requestId()).isEqualTo("unmarked");
        }
    }

    private String topic() throws Exception {
        String topic = "replies-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.<String, Object>copyOf(kafka))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.<String, Object>copyOf(kafka), new StringSerializer(),
                new ByteArraySerializer());
    }

    private byte[] reply(String requestId) {
        return Json.write(Reply.of(Reply.Kind.ACCEPTED, requestId, invocation));
    }

    private static Headers marked(long sequence) {
        return new RecordHeaders().add(HandOverMark.HEADER, new HandOverMark(PRODUCER, sequence).bytes());
    }
}
