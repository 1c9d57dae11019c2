package dev.ferry.subscriptions;

import dev.ferry.client.CommandLog;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.Targets;
import dev.ferry.schemas.HeaderValues;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.deployments.Subscription;
import dev.ferry.schemas.results.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the registry's subscriptions: for each, a consumer group on its source topic that turns every record into
 * an {@code Invoke} on the command log. The record key is the object key or workflow id; the value is the input;
 * the record's headers reach the handler, with {@code kafka.topic}, {@code kafka.partition},
 * {@code kafka.offset} and {@code kafka.timestamp}.
 *
 * <p>A record's invocation id is derived from the subscription and the record's position, and offsets are
 * committed only once the log has every invocation of a batch: after a crash the same records are read again,
 * give the same ids, and the processor recognises them. Nothing is lost and nothing runs twice. Records of one key
 * are appended in topic order to the key's partition of the log, so an object's exclusive handler sees them in
 * that order.
 */
public final class SubscriptionRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionRunner.class);
    static final String HEADER_TOPIC = "kafka.topic";
    static final String HEADER_PARTITION = "kafka.partition";
    static final String HEADER_OFFSET = "kafka.offset";
    static final String HEADER_TIMESTAMP = "kafka.timestamp";

    private final Topics topics;
    private final RegistryView registry;
    private final CommandLog commandLog;
    private final Map<String, Map<String, String>> clusters;
    private final RecordLimits limits;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Map<String, Runner> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ferry-subscriptions").daemon().unstarted(r));

    /** @param clusters Kafka client properties by cluster name, {@code default} (Ferry's own) included */
    public SubscriptionRunner(Topics topics, RegistryView registry, CommandLog commandLog,
            Map<String, Map<String, String>> clusters, RecordLimits limits) {
        this.topics = topics;
        this.limits = limits;
        this.registry = registry;
        this.commandLog = commandLog;
        this.clusters = clusters;
        Properties props = new Properties();
        props.putAll(clusters.get("default"));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(limits.producerProperties());
        deadLetters = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public void start() {
        reconciler.scheduleWithFixedDelay(this::reconcile, 0, 1, TimeUnit.SECONDS);
    }

    /** Starts consumers for new subscriptions and stops those of deleted ones. */
    private void reconcile() {
        try {
            Set<String> wanted = new HashSet<>();
            for (Subscription subscription : registry.registry().subscriptions()) {
                wanted.add(subscription.id());
                running.computeIfAbsent(subscription.id(), id -> {
                    Runner runner = new Runner(subscription);
                    runner.thread.start();
                    return runner;
                });
            }
            for (String id : new ArrayList<>(running.keySet())) {
                if (!wanted.contains(id)) {
                    running.remove(id).close();
                }
            }
        } catch (RuntimeException e) {
            log.error("Reconciling subscriptions failed", e);
        }
    }

    /** The consumer of one subscription. */
    private final class Runner implements AutoCloseable {
        private final Subscription subscription;
        private final SubscriptionSpec spec;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private volatile boolean closed;

        Runner(Subscription subscription) {
            this.subscription = subscription;
            this.spec = SubscriptionSpec.parse(subscription.source(), subscription.sink());
            Properties props = new Properties();
            props.putAll(clusters.getOrDefault(spec.cluster(), Map.of()));
            props.put(ConsumerConfig.GROUP_ID_CONFIG, topics.subscriptionGroup(subscription.id()));
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    subscription.options().getOrDefault("auto.offset.reset", "earliest"));
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.putAll(limits.consumerProperties());
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            thread = Thread.ofPlatform().name("ferry-subscription-" + subscription.id()).daemon()
                    .unstarted(this::run);
        }

        private void run() {
            log.info("Subscription {}: {} -> {}", subscription.id(), subscription.source(), subscription.sink());
            try {
                consumer.subscribe(List.of(spec.topic()));
                while (!closed) {
                    try {
                        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                        if (!records.isEmpty()) {
                            submit(records);
                        }
                    } catch (WakeupException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // The batch is not committed: it is read again, and its ids make the repeat harmless.
                        log.error("Subscription {} failed a batch; retrying from its last commit", subscription.id(), e);
                        rewind();
                        Thread.sleep(1_000);
                    }
                }
            } catch (WakeupException e) {
                if (!closed) {
                    log.error("Subscription {} stopped", subscription.id(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        /** Appends an invocation per record, waits until the log has them all, then commits the batch. */
        private void submit(ConsumerRecords<byte[], byte[]> records) {
            Registry snapshot = registry.registry();
            List<CompletableFuture<?>> appended = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                String tooLarge = tooLarge(record);
                Optional<Invoke> invoke = tooLarge == null ? invoke(record, snapshot) : Optional.empty();
                appended.add(tooLarge != null ? deadLetterTooLarge(record, tooLarge)
                        : invoke.isPresent() ? commandLog.append(invoke.get())
                        : deadLetter(record, whyNot(record, snapshot)));
                offsets.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
            }
            CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).join();
            consumer.commitSync(offsets);
        }

        private void rewind() {
            for (TopicPartition partition : consumer.assignment()) {
                OffsetAndMetadata committed = consumer.committed(Set.of(partition)).get(partition);
                if (committed != null) {
                    consumer.seek(partition, committed.offset());
                } else {
                    consumer.seekToBeginning(Set.of(partition));
                }
            }
        }

        /** The record's target: the record key is the object key or workflow id of a keyed service. */
        private Targets.Resolution resolve(ConsumerRecord<byte[], byte[]> record, Registry snapshot) {
            boolean keyed = snapshot.service(spec.service()).map(s -> s.manifest().ty().keyed()).orElse(false);
            return Targets.resolve(snapshot, spec.service(), spec.handler(), keyed ? recordKey(record) : null, null);
        }

        private static String recordKey(ConsumerRecord<byte[], byte[]> record) {
            return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        }

        /** The invocation a record becomes, or empty when it cannot become one ({@link #whyNot} says why). */
        private Optional<Invoke> invoke(ConsumerRecord<byte[], byte[]> record, Registry snapshot) {
            if (!(resolve(record, snapshot) instanceof Targets.Resolved resolved)) {
                return Optional.empty();
            }
            Target target = resolved.target();
            String recordKey = recordKey(record);
            InvocationId id = InvocationIds.forRecord(target, null, new InvocationIds.RecordPosition(
                    subscription.id(), record.topic(), record.partition(), record.offset(), recordKey),
                    commandLog.partitions());
            return Optional.of(new Invoke(id, target, null,
                    contentType(record), headers(record), Payload.of(record.value()), null, null, true, null, false,
                    record.timestamp(), subscription.options().get("result_topic")));
        }

        /**
         * Why a record is more than an invocation can carry (a value over the body limit, as the ingress refuses
         * with 413; a key or headers over what a request line or request headers may hold), or null when it fits.
         */
        private String tooLarge(ConsumerRecord<byte[], byte[]> record) {
            if (record.value() != null && record.value().length > limits.maxBodyBytes()) {
                return "subscription " + subscription.id() + ": the record's value is " + record.value().length
                        + " bytes, over the limit of " + limits.maxBodyBytes() + " bytes (FERRY_MAX_BODY_SIZE)";
            }
            if (record.key() != null && record.key().length > RecordLimits.MAX_KEY_BYTES) {
                return "subscription " + subscription.id() + ": the record's key is " + record.key().length
                        + " bytes, over the limit of " + RecordLimits.MAX_KEY_BYTES + " bytes";
            }
            long headerBytes = headerBytes(record);
            if (headerBytes > RecordLimits.MAX_HEADER_BYTES) {
                return "subscription " + subscription.id() + ": the record's headers are " + headerBytes
                        + " bytes, over the limit of " + RecordLimits.MAX_HEADER_BYTES + " bytes";
            }
            return null;
        }

        /**
         * A record too large to carry goes to the dead-letter topic without what made it so (its value, or its key
         * and headers), since the dead-letter topic could not take that either: the reason says how large it was.
         */
        private CompletableFuture<?> deadLetterTooLarge(ConsumerRecord<byte[], byte[]> record, String reason) {
            boolean valueFits = record.value() == null || record.value().length <= limits.maxBodyBytes();
            boolean keyFits = record.key() == null || record.key().length <= RecordLimits.MAX_KEY_BYTES;
            boolean headersFit = headerBytes(record) <= RecordLimits.MAX_HEADER_BYTES;
            return deadLetter(record, keyFits ? record.key() : null, valueFits ? record.value() : null,
                    headersFit ? record.headers().toArray() : new org.apache.kafka.common.header.Header[0], reason);
        }

        private String whyNot(ConsumerRecord<byte[], byte[]> record, Registry snapshot) {
            String because = switch (resolve(record, snapshot)) {
                case Targets.UnknownService unknown -> "service '" + spec.service() + "' is not registered";
                case Targets.UnknownHandler unknown -> "the service '" + spec.service() + "' has no handler '"
                        + spec.handler() + "'";
                case Targets.KeyMissing missing -> "a record without a key, but '" + spec.service() + "' is a "
                        + missing.service().manifest().ty() + " and the key is its object key or workflow id";
                case Targets.Resolved resolved -> throw new IllegalStateException("the record can be invoked");
                case Targets.WrongServiceType wrong -> throw new IllegalStateException("no type was claimed");
                case Targets.KeyNotExpected unexpected -> throw new IllegalStateException("no key was given");
            };
            return "subscription " + subscription.id() + ": " + because;
        }

        private CompletableFuture<?> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
            return deadLetter(record, record.key(), record.value(), record.headers().toArray(), reason);
        }

        private CompletableFuture<?> deadLetter(ConsumerRecord<byte[], byte[]> record, byte[] key, byte[] value,
                org.apache.kafka.common.header.Header[] kept, String reason) {
            log.warn("{} (record {}-{}@{})", reason, record.topic(), record.partition(), record.offset());
            Headers headers = new RecordHeaders(kept)
                    .add(DeadLetters.KIND, DeadLetters.REJECTED_RECORD.getBytes(StandardCharsets.UTF_8))
                    .add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8))
                    .add(DeadLetters.TOPIC, record.topic().getBytes(StandardCharsets.UTF_8))
                    .add(DeadLetters.PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8))
                    .add(DeadLetters.OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
            CompletableFuture<Object> sent = new CompletableFuture<>();
            deadLetters.send(new ProducerRecord<>(topics.deadLetter(), null, key, value, headers),
                    (metadata, error) -> {
                        if (error != null) {
                            sent.completeExceptionally(error);
                        } else {
                            sent.complete(metadata);
                        }
                    });
            return sent;
        }

        @Override
        public void close() {
            closed = true;
            consumer.wakeup();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long headerBytes(ConsumerRecord<byte[], byte[]> record) {
        long bytes = 0;
        for (org.apache.kafka.common.header.Header header : record.headers()) {
            bytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    private static String contentType(ConsumerRecord<byte[], byte[]> record) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader("content-type");
        return header == null ? "application/json" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * The record's own headers (Restate drops them), then where it came from. A Kafka header value is any bytes:
     * printable ASCII goes as it is, anything else base64-encoded under the name with {@code -bin} appended
     * ({@link HeaderValues#forHttp}), so binary values and non-ASCII text reach the handler intact.
     */
    private static List<Header> headers(ConsumerRecord<byte[], byte[]> record) {
        List<Header> headers = new ArrayList<>();
        for (org.apache.kafka.common.header.Header header : record.headers()) {
            String name = header.key().toLowerCase(Locale.ROOT);
            if (!name.equals("content-type") && header.value() != null) {
                headers.add(HeaderValues.forHttp(name, header.value()));
            }
        }
        headers.add(new Header(HEADER_TOPIC, record.topic()));
        headers.add(new Header(HEADER_PARTITION, Integer.toString(record.partition())));
        headers.add(new Header(HEADER_OFFSET, Long.toString(record.offset())));
        headers.add(new Header(HEADER_TIMESTAMP, Long.toString(record.timestamp())));
        return headers;
    }

    @Override
    public void close() {
        reconciler.shutdownNow();
        running.values().forEach(Runner::close);
        running.clear();
        deadLetters.close();
    }
}
