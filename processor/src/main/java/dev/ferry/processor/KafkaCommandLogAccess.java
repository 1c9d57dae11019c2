package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.FireTimer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CommandLogAccess} on a Kafka cluster: a producer of its own (not Kafka Streams'), an admin client, and the
 * dispatchers' progress through the dispatch topic.
 */
final class KafkaCommandLogAccess implements CommandLogAccess, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaCommandLogAccess.class);
    /** The stream thread waits this long at most for the cluster's answer (only while a task starts or redoes). */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);

    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final DispatchProgress dispatchProgress;

    KafkaCommandLogAccess(Topics topics, Map<String, String> kafka) {
        this.topics = topics;
        Properties producerProps = new Properties();
        producerProps.putAll(kafka);
        // A timer's record is small and somebody may wait for what it starts: send at once.
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        Properties adminProps = new Properties();
        adminProps.putAll(kafka);
        admin = Admin.create(adminProps);
        dispatchProgress = new DispatchProgress(topics, admin);
    }

    /** Where the processor's dispatch records went, to be told of each one the broker acknowledges. */
    DispatchProgress dispatchProgress() {
        return dispatchProgress;
    }

    @Override
    public boolean dispatchWaiting(InvocationId invocationId, int attempt) {
        return dispatchProgress.waiting(CommandProcessor.dispatchKey(invocationId, attempt));
    }

    @Override
    public void appendTimer(int partition, FireTimer fire) {
        producer.send(new ProducerRecord<>(topics.log(), partition, fire.invocationId().toString(), Json.write(fire)),
                (metadata, error) -> {
                    if (error != null) {
                        log.warn("Could not append a {} timer of {}; asking again later: {}", fire.kind(),
                                fire.invocationId(), error.getMessage());
                    }
                });
    }

    @Override
    public Map<TopicPartition, Long> ends(int partition) {
        Map<TopicPartition, OffsetSpec> latest = Map.of(
                new TopicPartition(topics.log(), partition), OffsetSpec.latest(),
                new TopicPartition(topics.requests(), partition), OffsetSpec.latest());
        try {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : admin.listOffsets(latest)
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).entrySet()) {
                ends.put(end.getKey(), end.getValue().offset());
            }
            return ends;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("Could not read the end offsets of partition {} of the command topics: {}", partition,
                    e.toString());
            return null;
        }
    }

    @Override
    public boolean committedPast(Map<TopicPartition, Long> offsets) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(topics.processorApplicationId())
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (Map.Entry<TopicPartition, Long> end : offsets.entrySet()) {
                OffsetAndMetadata position = committed.get(end.getKey());
                long reached = position == null ? 0 : position.offset();
                if (reached < end.getValue()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("Could not read the processor's committed offsets: {}", e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        dispatchProgress.close();
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
