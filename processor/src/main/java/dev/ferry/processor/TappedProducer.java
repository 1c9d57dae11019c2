package dev.ferry.processor;

import dev.ferry.schemas.HandOverMark;
import dev.ferry.schemas.Routing;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream thread's producer that tells {@link ProcessorOutputs} of the records it sends. A record of a topic a reader
 * in this process takes is marked ({@link HandOverMark}) and handed over as it is sent, on the stream thread: the
 * reader wakes straight from the processor instead of after the broker's round trip (four thread wake-ups on each of
 * two hops of a call, and behind a commit's changelog records, several milliseconds). Every record the broker
 * acknowledged is told too, after Kafka Streams' own callback. Everything else goes to the producer unchanged.
 */
final class TappedProducer implements Producer<byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(TappedProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final ProcessorOutputs outputs;
    /** This producer's part of its hand-over marks: a reader tells the marks of different producers apart by it. */
    private final long markProducer = new SecureRandom().nextLong();
    private final AtomicLong markSequence = new AtomicLong();

    TappedProducer(Producer<byte[], byte[]> producer, ProcessorOutputs outputs) {
        this.producer = producer;
        this.outputs = outputs;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        ProducerRecord<byte[], byte[]> sent = record;
        if (record.key() != null && outputs.takes(record.topic())) {
            sent = handOver(record);
        }
        String topic = sent.topic();
        byte[] key = sent.key();
        return producer.send(sent, (metadata, error) -> {
            if (callback != null) {
                callback.onCompletion(metadata, error);
            }
            if (error == null) {
                try {
                    outputs.acknowledged(topic, metadata.partition(), metadata.offset(), key);
                } catch (RuntimeException e) {
                    // Never fail the producer's thread.
                    log.warn("Telling of an acknowledged {} record failed: {}", topic, e.toString());
                }
            }
        });
    }

    /**
     * The record with its hand-over mark and its partition (the one the producer would pick for its key, named so that
     * the reader is told where it goes), after handing it to the reader.
     */
    private ProducerRecord<byte[], byte[]> handOver(ProducerRecord<byte[], byte[]> record) {
        // A copy of the headers: Kafka Streams may share its record's headers between the records it forwards.
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(HandOverMark.HEADER, new HandOverMark(markProducer, markSequence.incrementAndGet()).bytes());
        int partition = record.partition() != null ? record.partition()
                : Routing.partitionOfRecordKey(record.key(), producer.partitionsFor(record.topic()).size());
        ProducerRecord<byte[], byte[]> withMark = new ProducerRecord<>(record.topic(), partition, record.timestamp(),
                record.key(), record.value(), headers);
        try {
            outputs.sending(record.topic(), partition, record.key(), record.value(),
                    record.timestamp() != null ? record.timestamp() : System.currentTimeMillis(), headers);
        } catch (RuntimeException e) {
            // The record goes to Kafka all the same, and its reader reads it there. Never fail the stream thread.
            log.warn("Handing a {} record to this process's reader failed: {}", record.topic(), e.toString());
        }
        return withMark;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    @Override
    public void initTransactions() {
        producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
        producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        producer.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        producer.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        producer.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        producer.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return producer.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        producer.close();
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
