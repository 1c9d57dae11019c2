package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, String value) {
        return new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
