package dev.ferry.registry;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.ResourceId;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.Subscription;
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

    private RegistryView(Registry fixed) {
        topic = null;
        consumer = null;
        partition = null;
        thread = null;
        registry = fixed;
        appliedUpTo = Long.MAX_VALUE;
    }

    /**
     * A view that holds {@code registry} for good and follows no topic, so the HTTP handlers can be tested without
     * Kafka. It is loaded as made: it is not started, and {@link #awaitApplied} returns at once.
     */
    public static RegistryView fixed(Registry registry) {
        return new RegistryView(registry);
    }

    /** Starts following the topic and waits until every record present now is applied. */
    public void start(Duration timeout) throws TimeoutException, InterruptedException {
        if (consumer == null) {
            throw new IllegalStateException("a fixed registry view follows no topic");
        }
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        thread.start();
        awaitApplied(end, timeout);
        log.info("Registry loaded from {}: {} deployment(s), {} service(s)",
                topic, registry.deployments().size(), registry.services().size());
    }

    public Registry registry() {
        return registry;
    }

    /** Loaded and still following the topic; a fixed view, until it is closed. */
    public boolean following() {
        return !closed && (thread == null || thread.isAlive());
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

    /**
     * Applies one record. Anyone who may write the topic can put anything on it: a record that is not one of the
     * registry's (unreadable, of another type, inconsistent with its key) is logged and skipped, alone, so the
     * records around it still apply and every process still agrees on the registry.
     */
    static Registry apply(Registry registry, ConsumerRecord<String, byte[]> record) {
        try {
            return applyOrThrow(registry, record);
        } catch (IOException | RuntimeException e) {
            log.warn("Skipping a registry record at offset {} (key {}): {}", record.offset(), abbreviated(record.key()),
                    abbreviated(String.valueOf(e.getMessage())));
            return registry;
        }
    }

    private static Registry applyOrThrow(Registry registry, ConsumerRecord<String, byte[]> record) throws IOException {
        String key = record.key();
        if (key == null) {
            throw new IllegalArgumentException("no key");
        }
        boolean overrides = key.startsWith(ServiceOverrides.KEY_PREFIX);
        boolean subscription = key.startsWith(ResourceId.SUBSCRIPTION + "_");
        if (record.value() == null) {
            if (overrides) {
                return registry.withoutOverrides(key.substring(ServiceOverrides.KEY_PREFIX.length()));
            }
            return subscription ? registry.withoutSubscription(key) : registry.without(key);
        }
        if (overrides) {
            ServiceOverrides read = Json.read(record.value(), ServiceOverrides.class);
            require(read != null && key.equals(read.key()), "not the overrides its key names");
            return registry.with(read);
        }
        if (subscription) {
            Subscription read = Json.read(record.value(), Subscription.class);
            require(read != null && key.equals(read.id()) && read.source() != null && read.sink() != null,
                    "not the subscription its key names");
            return registry.with(read);
        }
        Deployment read = Json.read(record.value(), Deployment.class);
        require(read != null && key.equals(read.id()) && read.uri() != null, "not the deployment its key names");
        for (var service : read.services()) {
            require(service != null && service.name() != null && service.ty() != null && service.handlers() != null,
                    "a service of the deployment has no name, type or handlers");
            for (var handler : service.handlers()) {
                require(handler != null && handler.name() != null, "a handler of " + service.name() + " has no name");
            }
        }
        return registry.with(read, record.offset());
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static String abbreviated(String text) {
        return text == null || text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public void close() {
        closed = true;
        if (thread == null) {
            return; // a fixed view: nothing to stop
        }
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
