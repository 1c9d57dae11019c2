package dev.ferry.processor;

import dev.ferry.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.CloseOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The processor role: the Kafka Streams application running the state machine over the command log. */
public final class ProcessorApp implements AutoCloseable {
    /** The stores' record cache, on the heap: Kafka Streams' default, stated because the heap is bounded. */
    static final long STORE_CACHE_BYTES = 10L * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ProcessorApp.class);

    /** Stream threads replaced this often within {@link #REPLACEMENT_WINDOW} mean a failure that repeats. */
    static final int MAX_REPLACEMENTS = 5;
    static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(10);

    private final KafkaStreams streams;
    private final TopicLimits topicLimits;
    private final KafkaCommandLogAccess commandLog;
    private final Deque<Long> replacements = new ArrayDeque<>();
    private final AtomicInteger replaced = new AtomicInteger();
    private volatile String stopped;
    private final QueryResponder queries;
    private final StreamsMeters streamsMeters;

    /**
     * @param kafka properties for every Kafka client (bootstrap servers, security, ...)
     * @param streamsOverrides Kafka Streams properties that take precedence over Ferry's choices below
     * @param outputs this process's own readers of the processor's outputs (its dispatcher, its ingress), handed
     *                each record as soon as the broker has it
     */
    public ProcessorApp(
            Topics topics,
            ProcessorSettings settings,
            Map<String, String> kafka,
            Map<String, String> streamsOverrides,
            Path stateDir,
            MeterRegistry meters,
            ProcessorOutputs outputs) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.processorApplicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // The processor is the single writer of invocation state: exactly-once, so a crash never applies a
        // command twice to the stores or emits its effects twice to read_committed readers.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Dispatchers and ingresses read the processor's outputs read_uncommitted (see their consumers), so an
        // output is visible as soon as it reaches the broker, whatever the commit interval. A commit, though,
        // holds the stream thread for a few milliseconds (flush, offsets, end transaction), and every command that
        // arrives meanwhile waits. Measured with `ferry bench` (sequential calls): 100 ms (Kafka Streams' EOS
        // default) gave p50/p90/p99 5.9/12.3/34.7 ms, 1000 ms gave 4.4/9.2/19.1 ms. A longer interval means more
        // commands to redo after a crash, which the processor decides identically (log time, timers through the
        // log), and a longer wait for the attempts it starts while redoing (held until it has committed past them).
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        // Kafka Streams sets linger.ms=100 on its producers unless told otherwise: every dispatch and reply would
        // wait up to 100 ms before leaving. Where a dispatcher or an ingress of another process reads them, they
        // leave at once (0). Where this process's own readers take them in memory as they are sent (`outputs`),
        // the broker's copy keeps no call waiting, and a few milliseconds gather many into one produce request
        // where with 0 they went a few at a time: a quarter less CPU a call at 32 connections (docs/performance.md,
        // twenty-third session). A commit flushes whatever lingers.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                Long.toString(settings.outputLinger().toMillis()));
        // Records carry bodies up to the limit (see RecordLimits). The producer's buffer.memory must hold the
        // largest record too: Kafka's default (32 MiB) cannot take a 32 MiB body once it is in a record.
        settings.limits().producerProperties().forEach((name, value) ->
                props.put(StreamsConfig.producerPrefix(name), value));
        settings.limits().consumerProperties().forEach((name, value) ->
                props.put(StreamsConfig.consumerPrefix(name), value));
        // On a quiet log the stream thread blocks in poll() this long, and wall-clock punctuation (the timers)
        // can only run between polls: keep it at the timer tick so a delayed call starts on time.
        props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(settings.timerTick().toMillis()));
        // The changelogs Kafka Streams creates hold requests' inputs too: let them take records as large as the
        // log's, whatever the broker's default (1 MiB unless configured).
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                settings.limits().topicMaxMessageBytes());
        // Ferry has no global stores; this only opts in to the behaviour Kafka 5.0 makes the default.
        props.put("processing.exception.handler.global.enabled", "true");
        // A task reads partition n of the log and of the requests. Waiting for the other topic to have data (to
        // order by timestamp) would hold every command of a quiet topic: process what is there at once.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        // The stores' record cache (ProcessorTopology.store): on the heap, shared by the stream thread's tasks, and
        // written out at each commit. Named here because it counts against the heap `./ferry` sets.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(STORE_CACHE_BYTES));
        // The state stores' off-heap memory is bounded for the whole process, not per store (BoundedStoreMemory).
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedStoreMemory.class.getName());
        props.put(BoundedStoreMemory.CONFIG, Long.toString(settings.storeMemoryBytes()));
        // What the processor cannot foresee failing to produce is remembered, so the command is not redone forever.
        PoisonedRecords poisoned = new PoisonedRecords();
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionFailures.class.getName());
        props.put(PoisonedRecords.CONFIG, poisoned);
        props.putAll(streamsOverrides);

        topicLimits = new TopicLimits(kafka);
        commandLog = new KafkaCommandLogAccess(topics, kafka, settings.lease());
        DispatchProgress dispatchProgress = commandLog.dispatchProgress();
        ProcessorOutputs tapped = new ProcessorOutputs() {
            @Override
            public boolean takes(String topic) {
                return outputs.takes(topic);
            }

            @Override
            public void sending(String topic, int partition, byte[] key, byte[] value, long timestamp,
                    Headers headers) {
                outputs.sending(topic, partition, key, value, timestamp, headers);
            }

            @Override
            public void acknowledged(String topic, int partition, long offset, byte[] key) {
                dispatchProgress.written(topic, key, partition, offset);
                outputs.acknowledged(topic, partition, offset, key);
            }
        };
        streams = new KafkaStreams(ProcessorTopology.build(topics, settings, topicLimits, poisoned, commandLog, meters),
                props, new TappedClientSupplier(tapped));
        streamsMeters = new StreamsMeters(streams, meters);
        for (String store : new String[] {ProcessorTopology.INVOCATIONS, ProcessorTopology.TIMERS,
            ProcessorTopology.INBOXES, ProcessorTopology.INBOX_ENTRIES}) {
            Gauge.builder("ferry.processor.store.entries", () -> approximateEntries(store))
                    .description("Entries in this process's partitions of a processor store (approximate)")
                    .tag("store", store)
                    .register(meters);
        }
        Gauge.builder("ferry.processor.thread.replacements", replaced, AtomicInteger::get)
                .description("Processor stream threads that failed and were replaced since the start")
                .register(meters);
        streams.setUncaughtExceptionHandler(this::onThreadFailure);
        streams.setStateListener((next, previous) -> log.info("Processor state {} -> {}", previous, next));
        queries = new QueryResponder(topics, settings.partitions(), kafka, settings.limits(), streams);
    }

    /**
     * A stream thread failed. Commands and timers that throw are handled where they run, so this is Kafka's own
     * trouble (a lost connection, a fenced producer) or a bug: replace the thread, but not in a loop. When threads
     * fail {@value #MAX_REPLACEMENTS} times within {@link #REPLACEMENT_WINDOW}, the processor stops (Kafka Streams
     * goes to ERROR) and says why on {@code /health/ready}, instead of stalling every partition silently.
     */
    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onThreadFailure(Throwable e) {
        long now = System.currentTimeMillis();
        synchronized (replacements) {
            replacements.addLast(now);
            while (!replacements.isEmpty() && replacements.peekFirst() < now - REPLACEMENT_WINDOW.toMillis()) {
                replacements.removeFirst();
            }
            if (replacements.size() > MAX_REPLACEMENTS) {
                stopped = "stream threads failed " + replacements.size() + " times within " + REPLACEMENT_WINDOW
                        + ", the last with " + e;
                log.error("A processor stream thread failed again; stopping the processor: {}", stopped, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        replaced.incrementAndGet();
        log.error("A processor stream thread failed; replacing it", e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** How many stream threads failed and were replaced since the start. */
    public int threadReplacements() {
        return replaced.get();
    }

    /** Why the processor stopped for good, or null. */
    public String stoppedBecause() {
        return stopped;
    }

    /** RocksDB's estimate of a store's entries over this process's partitions; 0 while not running. */
    private long approximateEntries(String store) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return 0;
        }
        try {
            ReadOnlyKeyValueStore<Object, Object> view = streams.store(
                    StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
            return view.approximateNumEntries();
        } catch (RuntimeException e) {
            return 0; // rebalancing: the next scrape has it
        }
    }

    public void start() {
        streams.start();
        queries.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public void close() {
        queries.close();
        // Leave the consumer group on the way out. Kafka Streams stays in it by default, and the partitions then
        // sit unassigned until the session times out (45 s) when this process, or another, starts again.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        streamsMeters.close();
        topicLimits.close();
        commandLog.close();
    }
}
