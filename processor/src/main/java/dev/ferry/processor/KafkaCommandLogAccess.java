package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.FireTimer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    /**
     * The latest read of the processor's committed positions for {@link #committedPastSoFar}, one for every task: a
     * blocking read per redoing task every check held the stream thread for most of a second per second under load.
     */
    private final AtomicReference<CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> committedRead =
            new AtomicReference<>(CompletableFuture.completedFuture(Map.of()));
    /** A newer read of the committed positions starts at most this often. */
    private static final Duration COMMITTED_READ_INTERVAL = Duration.ofMillis(200);
    /** When the latest read started ({@link System#nanoTime()}); the first may start at once. */
    private volatile long committedReadAt = System.nanoTime() - COMMITTED_READ_INTERVAL.toNanos();

    /** @param lease how long a dispatched attempt may go without a renewal (see {@link DispatchProgress}) */
    KafkaCommandLogAccess(Topics topics, Map<String, String> kafka, Duration lease) {
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
        dispatchProgress = new DispatchProgress(topics, admin, lease);
    }

    /** Where the processor's dispatch records went, to be told of each one the broker acknowledges. */
    DispatchProgress dispatchProgress() {
        return dispatchProgress;
    }

    @Override
    public long dispatchTakenAt(InvocationId invocationId, int attempt) {
        return dispatchProgress.takenAt(CommandProcessor.dispatchKey(invocationId, attempt));
    }

    @Override
    public CompletableFuture<Long> appendTimer(int partition, FireTimer fire) {
        CompletableFuture<Long> appended = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topics.log(), partition, fire.invocationId().toString(), Json.write(fire)),
                (metadata, error) -> {
                    if (error != null) {
                        log.warn("Could not append a {} timer of {}; asking again later: {}", fire.kind(),
                                fire.invocationId(), error.getMessage());
                        appended.completeExceptionally(error);
                    } else {
                        appended.complete(metadata.offset());
                    }
                });
        return appended;
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
    public boolean committedPastSoFar(Map<TopicPartition, Long> offsets) {
        CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> read = committedRead.get();
        if (read.isDone() && !read.isCompletedExceptionally() && reached(read.join(), offsets)) {
            return true;
        }
        long now = System.nanoTime();
        if (read.isDone() && now - committedReadAt >= COMMITTED_READ_INTERVAL.toNanos()) {
            synchronized (committedRead) {
                if (committedRead.get() == read) { // else another task's thread has just started one
                    committedReadAt = now;
                    CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> newer = admin
                            .listConsumerGroupOffsets(topics.processorApplicationId())
                            .partitionsToOffsetAndMetadata().toCompletionStage().toCompletableFuture()
                            .orTimeout(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    newer.exceptionally(e -> {
                        log.warn("Could not read the processor's committed offsets: {}", e.toString());
                        return null;
                    });
                    committedRead.set(newer);
                }
            }
        }
        return false;
    }

    private static boolean reached(Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, Long> offsets) {
        for (Map.Entry<TopicPartition, Long> end : offsets.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            long reached = position == null ? 0 : position.offset();
            if (reached < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean committedPast(Map<TopicPartition, Long> offsets) {
        try {
            return reached(admin.listConsumerGroupOffsets(topics.processorApplicationId())
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), offsets);
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
