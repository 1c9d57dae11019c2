package dev.ferry.processor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
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
import org.apache.kafka.common.metrics.KafkaMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream thread's producer that also tells {@link ProcessorOutputs} of every record the broker acknowledged. Kafka
 * Streams sends each record with a callback; this one runs Kafka Streams' callback first, then hands the record on.
 * Everything else goes to the producer unchanged.
 */
final class TappedProducer implements Producer<byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(TappedProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final ProcessorOutputs outputs;

    TappedProducer(Producer<byte[], byte[]> producer, ProcessorOutputs outputs) {
        this.producer = producer;
        this.outputs = outputs;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        return producer.send(record, (metadata, error) -> {
            if (callback != null) {
                callback.onCompletion(metadata, error);
            }
            if (error == null) {
                try {
                    outputs.acknowledged(record.topic(), metadata.partition(), metadata.offset(), record.key(),
                            record.value(), metadata.timestamp(), record.headers());
                } catch (RuntimeException e) {
                    // The record is in Kafka: its readers there still get it. Never fail the producer's thread.
                    log.warn("Handing a {} record to this process's reader failed: {}", record.topic(), e.toString());
                }
            }
        });
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
