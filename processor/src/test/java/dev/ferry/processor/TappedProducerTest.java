package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.HandOverMark;
import dev.ferry.schemas.Routing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class TappedProducerTest {
    private static final String TAKEN = "ferry.replies";

    private record Handed(String topic, int partition, String key, String value, HandOverMark mark) {}

    private record Acknowledged(String topic, int partition, long offset, String key) {}

    private final List<Handed> handed = new ArrayList<>();
    private final List<Acknowledged> acknowledged = new ArrayList<>();
    private final MockProducer<byte[], byte[]> broker = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final ProcessorOutputs outputs = new ProcessorOutputs() {
        @Override
        public boolean takes(String topic) {
            return topic.equals(TAKEN);
        }

        @Override
        public void sending(String topic, int partition, byte[] key, byte[] value, long timestamp, Headers headers) {
            handed.add(new Handed(topic, partition, text(key), text(value), HandOverMark.of(headers)));
        }

        @Override
        public void acknowledged(String topic, int partition, long offset, byte[] key) {
            acknowledged.add(new Acknowledged(topic, partition, offset, text(key)));
        }
    };
    private final TappedProducer producer = new TappedProducer(broker, outputs);

    @Test
    void aRecordOfATakenTopicIsHandedOverAsItIsSentMarkedAndTheBrokerGetsTheSameMark() {
        producer.send(record(TAKEN, 0, "ingress-1", "{\"a\":1}"), (metadata, error) -> { });

        assertThat(handed).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo(TAKEN);
            assertThat(record.partition()).isZero();
            assertThat(record.key()).isEqualTo("ingress-1");
            assertThat(record.value()).isEqualTo("{\"a\":1}");
            assertThat(record.mark()).isNotNull();
        });
        assertThat(broker.history()).singleElement()
                .satisfies(sent -> assertThat(HandOverMark.of(sent.headers())).isEqualTo(handed.get(0).mark()));
    }

    @Test
    void marksOfOneProducerCountUpInTheOrderItSends() {
        producer.send(record(TAKEN, 0, "ingress-1", "{}"), null);
        producer.send(record(TAKEN, 1, "ingress-2", "{}"), null);
        producer.send(record(TAKEN, 0, "ingress-1", "{}"), null);

        assertThat(handed).extracting(Handed::mark).extracting(HandOverMark::producer).containsOnly(
                handed.get(0).mark().producer());
        assertThat(handed).extracting(Handed::mark).extracting(HandOverMark::sequence)
                .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        TappedProducer another = new TappedProducer(broker, outputs);
        another.send(record(TAKEN, 0, "ingress-1", "{}"), null);
        assertThat(handed.get(3).mark().producer()).isNotEqualTo(handed.get(0).mark().producer());
    }

    @Test
    void aRecordKafkaStreamsLeavesToThePartitionerGoesWhereItsReaderWasToldItGoes() {
        List<PartitionInfo> partitions = IntStream.range(0, 5)
                .mapToObj(p -> new PartitionInfo(TAKEN, p, Node.noNode(), new Node[0], new Node[0])).toList();
        MockProducer<byte[], byte[]> withPartitions = new MockProducer<>(
                new Cluster("c", List.of(), partitions, java.util.Set.of(), java.util.Set.of()), false,
                null, new ByteArraySerializer(), new ByteArraySerializer());
        TappedProducer tapped = new TappedProducer(withPartitions, outputs);
        for (String key : List.of("ingress-a", "ingress-b", "ingress-c", "ingress-d")) {
            tapped.send(new ProducerRecord<>(TAKEN, key.getBytes(StandardCharsets.UTF_8), new byte[0]), null);
        }

        assertThat(handed).extracting(Handed::partition).containsExactlyElementsOf(withPartitions.history().stream()
                .map(ProducerRecord::partition).toList());
        assertThat(handed).allSatisfy(record -> assertThat(record.partition())
                .isEqualTo(Routing.partitionOfRecordKey(record.key().getBytes(StandardCharsets.UTF_8), 5)));
    }

    @Test
    void aRecordOfAnotherTopicIsNeitherHandedOverNorMarked() {
        producer.send(record("ferry.results", 0, "k", "{}"), null);

        assertThat(handed).isEmpty();
        assertThat(broker.history()).singleElement()
                .satisfies(sent -> assertThat(HandOverMark.of(sent.headers())).isNull());
    }

    @Test
    void everyAcknowledgedRecordIsToldAfterKafkaStreamsCallbackAndARefusedOneIsNot() {
        List<String> order = new ArrayList<>();
        producer.send(record("ferry.dispatch", 0, "a/1", "{}"),
                (metadata, error) -> order.add("streams callback, told so far: " + acknowledged.size()));
        producer.send(record(TAKEN, 0, "ingress-1", "{}"), (metadata, error) -> { });
        assertThat(acknowledged).isEmpty();

        broker.completeNext();
        broker.errorNext(new RecordTooLargeException("too large"));

        assertThat(order).containsExactly("streams callback, told so far: 0");
        assertThat(acknowledged).containsExactly(new Acknowledged("ferry.dispatch", 0, 0, "a/1"));
        assertThat(handed).as("handed over before the broker answered").hasSize(1);
    }

    @Test
    void aReaderThatThrowsFailsNeitherTheSendNorKafkaStreamsCallback() {
        TappedProducer throwing = new TappedProducer(broker, new ProcessorOutputs() {
            @Override
            public boolean takes(String topic) {
                return true;
            }

            @Override
            public void sending(String topic, int partition, byte[] key, byte[] value, long timestamp,
                    Headers headers) {
                throw new IllegalStateException("reader closed");
            }

            @Override
            public void acknowledged(String topic, int partition, long offset, byte[] key) {
                throw new IllegalStateException("reader closed");
            }
        });
        List<RecordMetadata> done = new ArrayList<>();
        throwing.send(record("ferry.dispatch", 1, "k", "{}"), (metadata, error) -> done.add(metadata));

        assertThat(broker.completeNext()).isTrue();

        assertThat(done).singleElement().extracting(RecordMetadata::topic).isEqualTo("ferry.dispatch");
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, String value) {
        return new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
