package dev.ferry.registry;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.ResourceId;
import dev.ferry.schemas.registry.Deployment;
import dev.ferry.schemas.registry.ServiceOverrides;
import dev.ferry.schemas.registry.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's live view of the registry: reads the compacted deployments topic from the beginning and keeps
 * following it, so every role in every process sees the same services. The topic has one partition, so records
 * apply in the order they were written. Keys are deployment ids ({@code dp_…}: a {@link Deployment}),
 * {@code service/{name}} ({@link ServiceOverrides}) and subscription ids ({@code sub_…}: a {@link Subscription}).
 */
public final class RegistryView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryView.class);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private final Thread thread;
    private volatile Registry registry = Registry.EMPTY;
    /** The offset of the next record to apply; guarded by {@code this} for waiters. */
    private long appliedUpTo;
    private volatile boolean closed;

    public RegistryView(String topic, Map<String, String> kafka) {
        this.topic = topic;
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The admin waits for its own registration to come back through this view: fetch it at once.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        thread = Thread.ofPlatform().name("ferry-registry-view").daemon().unstarted(this::follow);
    }

    /** Starts following the topic and waits until every record present now is applied. */
    public void start(Duration timeout) throws TimeoutException, InterruptedException {
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        thread.start();
        awaitApplied(end, timeout);
        log.info("Registry loaded from {}: {} deployment(s), {} service(s)",
                topic, registry.deployments().size(), registry.services().size());
    }

    public Registry registry() {
        return registry;
    }

    /** Loaded and still following the topic. */
    public boolean following() {
        return thread.isAlive() && !closed;
    }

    /** Waits until the record at {@code offset} (and all before it) is applied, for read-your-writes. */
    public void awaitApplied(long offsetExclusive, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (appliedUpTo < offsetExclusive) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("the registry did not catch up with offset " + offsetExclusive);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void follow() {
        try {
            while (!closed) {
                try {
                    applyNext();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Every role reads the registry through this loop: log, pause briefly, and keep following.
                    log.error("Following {} failed; retrying in a second", topic, e);
                    Thread.sleep(1_000);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("The registry view stopped following {}", topic, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyNext() {
        var records = consumer.poll(Duration.ofMillis(500));
        Registry next = registry;
        for (ConsumerRecord<String, byte[]> record : records) {
            next = apply(next, record);
        }
        long position = consumer.position(partition);
        registry = next;
        synchronized (this) {
            appliedUpTo = position;
            notifyAll();
        }
    }

    private static Registry apply(Registry registry, ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return registry;
        }
        boolean overrides = record.key().startsWith(ServiceOverrides.KEY_PREFIX);
        boolean subscription = record.key().startsWith(ResourceId.SUBSCRIPTION + "_");
        if (record.value() == null) {
            if (overrides) {
                return registry.withoutOverrides(record.key().substring(ServiceOverrides.KEY_PREFIX.length()));
            }
            return subscription ? registry.withoutSubscription(record.key()) : registry.without(record.key());
        }
        try {
            if (overrides) {
                return registry.with(Json.read(record.value(), ServiceOverrides.class));
            }
            return subscription
                    ? registry.with(Json.read(record.value(), Subscription.class))
                    : registry.with(Json.read(record.value(), Deployment.class), record.offset());
        } catch (IOException e) {
            log.warn("Skipping an unreadable registry record {} at offset {}: {}", record.key(), record.offset(),
                    e.getMessage());
            return registry;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5)); // never started: nobody else uses the consumer
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
