package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class TappedProducerTest {
    private record Handed(String topic, int partition, String key, String value) {}

    private final List<Handed> handed = new ArrayList<>();
    private final MockProducer<byte[], byte[]> broker = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final TappedProducer producer = new TappedProducer(broker, (topic, partition, offset, key, value, timestamp) ->
            handed.add(new Handed(topic, partition, text(key), text(value))));

    @Test
    void aRecordIsHandedOverOnlyOnceTheBrokerAcknowledgedItAndAfterKafkaStreamsHeardOfIt() {
        List<String> order = new ArrayList<>();
        producer.send(record("ferry.replies", 0, "ingress-1", "{\"a\":1}"), (metadata, error) -> {
            order.add("streams callback, handed so far: " + handed.size());
        });
        assertThat(handed).isEmpty();

        broker.completeNext();

        assertThat(order).containsExactly("streams callback, handed so far: 0");
        assertThat(handed).containsExactly(new Handed("ferry.replies", 0, "ingress-1", "{\"a\":1}"));
    }

    @Test
    void aRecordTheBrokerRefusedIsNotHandedOver() {
        List<Exception> errors = new ArrayList<>();
        producer.send(record("ferry.dispatch", 0, "k", "{}"), (metadata, error) -> errors.add(error));

        broker.errorNext(new RecordTooLargeException("too large"));

        assertThat(errors).singleElement().isInstanceOf(RecordTooLargeException.class);
        assertThat(handed).isEmpty();
    }

    @Test
    void aReaderThatThrowsDoesNotFailTheProducerNorKafkaStreamsCallback() {
        TappedProducer throwing = new TappedProducer(broker, (topic, partition, offset, key, value, timestamp) -> {
            throw new IllegalStateException("reader closed");
        });
        List<RecordMetadata> acknowledged = new ArrayList<>();
        throwing.send(record("ferry.dispatch", 1, "k", "{}"), (metadata, error) -> acknowledged.add(metadata));

        assertThat(broker.completeNext()).isTrue();

        assertThat(acknowledged).singleElement().extracting(RecordMetadata::topic).isEqualTo("ferry.dispatch");
    }

    @Test
    void aCommandsHeldRecordsReachTheProducerTogetherOnReleaseInTheOrderSent() {
        producer.send(record("ferry.replies", 0, "first", "{}")); // a stream thread's producer is known by its sends
        List<String> acknowledged = new ArrayList<>();

        TappedProducer.holdSends();
        Future<RecordMetadata> dispatch = producer.send(record("ferry.dispatch", 3, "a", "{}"),
                (metadata, error) -> acknowledged.add(metadata.topic()));
        producer.send(record("ferry.processor-invocations-changelog", 3, "a", "{}"),
                (metadata, error) -> acknowledged.add(metadata.topic()));
        assertThat(broker.history()).hasSize(1); // held: the producer has not seen them

        TappedProducer.releaseSends();
        assertThat(broker.history()).extracting(ProducerRecord::topic)
                .containsExactly("ferry.replies", "ferry.dispatch", "ferry.processor-invocations-changelog");
        assertThat(dispatch).isNotDone();

        broker.completeNext();
        broker.completeNext();
        broker.completeNext();
        assertThat(acknowledged).containsExactly("ferry.dispatch", "ferry.processor-invocations-changelog");
        assertThat(dispatch).isDone();
        assertThat(handed).extracting(Handed::topic)
                .containsExactly("ferry.replies", "ferry.dispatch", "ferry.processor-invocations-changelog");

        producer.send(record("ferry.replies", 0, "after", "{}"));
        assertThat(broker.history()).hasSize(4); // no longer holding
    }

    @Test
    void aFlushOrCommitSendsWhatIsHeldFirst() {
        producer.send(record("ferry.replies", 0, "first", "{}"));
        TappedProducer.holdSends();
        List<RecordMetadata> acknowledged = new ArrayList<>();
        producer.send(record("ferry.dispatch", 1, "k", "{}"), (metadata, error) -> acknowledged.add(metadata));

        producer.flush(); // Kafka Streams flushes before it commits a transaction

        assertThat(broker.history()).hasSize(2);
        assertThat(acknowledged).singleElement().extracting(RecordMetadata::topic).isEqualTo("ferry.dispatch");
        TappedProducer.releaseSends();
        assertThat(broker.history()).hasSize(2);
    }

    @Test
    void aHeldSendThatTheProducerRefusesOutrightIsReportedToItsCallbackNotThrown() {
        producer.send(record("ferry.replies", 0, "first", "{}"));
        TappedProducer.holdSends();
        List<Exception> errors = new ArrayList<>();
        Future<RecordMetadata> result = producer.send(record("ferry.dispatch", 1, "k", "{}"),
                (metadata, error) -> errors.add(error));
        broker.close(); // Kafka's producer throws on a send once closed

        TappedProducer.releaseSends();

        assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(result).failsWithin(java.time.Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class).withCauseInstanceOf(IllegalStateException.class);
        assertThat(handed).isEmpty();
    }

    @Test
    void aProducerThatLingersIsFlushedOnReleaseByItsOwnThreadNotTheStreamThread() {
        TappedProducer lingering = new TappedProducer(broker, (topic, partition, offset, key, value, timestamp) ->
                handed.add(new Handed(topic, partition, text(key), text(value))), true);
        lingering.send(record("ferry.replies", 0, "first", "{}"));
        TappedProducer.holdSends();
        Future<RecordMetadata> dispatch = lingering.send(record("ferry.dispatch", 2, "a", "{}"));

        TappedProducer.releaseSends();

        // MockProducer.flush() completes every record it holds: here, on the flush thread
        assertThat(dispatch).succeedsWithin(Duration.ofSeconds(5));
        assertThat(handed).extracting(Handed::key).containsExactly("first", "a");
        lingering.close();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, String value) {
        return new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
