package dev.ferry.processor;

import dev.ferry.schemas.CommandLog;
import dev.ferry.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
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
    private static final Logger log = LoggerFactory.getLogger(ProcessorApp.class);

    private final KafkaStreams streams;
    private final QueryResponder queries;

    /**
     * @param kafka properties for every Kafka client (bootstrap servers, security, ...)
     * @param streamsOverrides Kafka Streams properties that take precedence over Ferry's choices below
     */
    public ProcessorApp(
            Topics topics,
            ProcessorSettings settings,
            Map<String, String> kafka,
            Map<String, String> streamsOverrides,
            Path stateDir,
            MeterRegistry meters) {
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
        // default) gave p50/p90/p99 5.9/12.3/34.7 ms, 1000 ms gave 4.4/9.2/19.1 ms. A longer interval only means
        // more commands to redo after a crash, which the deterministic state machine redoes identically.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        // Kafka Streams sets linger.ms=100 on its producers unless told otherwise: every dispatch and reply would
        // wait up to 100 ms before leaving. Send at once; batches still form under load while requests are in
        // flight.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                Integer.toString(CommandLog.MAX_RECORD_BYTES));
        // On a quiet log the stream thread blocks in poll() this long, and wall-clock punctuation (the timers)
        // can only run between polls: keep it at the timer tick so a delayed call starts on time.
        props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(settings.timerTick().toMillis()));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                Integer.toString(CommandLog.MAX_RECORD_BYTES));
        // The changelogs Kafka Streams creates hold requests' inputs too: let them take records as large as the
        // log's, whatever the broker's default (1 MiB unless configured).
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                Integer.toString(CommandLog.MAX_RECORD_BYTES));
        // Ferry has no global stores; this only opts in to the behaviour Kafka 5.0 makes the default.
        props.put("processing.exception.handler.global.enabled", "true");
        props.putAll(streamsOverrides);

        streams = new KafkaStreams(ProcessorTopology.build(topics, settings, meters), props);
        new KafkaStreamsMetrics(streams).bindTo(meters);
        for (String store : new String[] {ProcessorTopology.INVOCATIONS, ProcessorTopology.TIMERS,
            ProcessorTopology.INBOXES}) {
            Gauge.builder("ferry.processor.store.entries", () -> approximateEntries(store))
                    .description("Entries in this process's partitions of a processor store (approximate)")
                    .tag("store", store)
                    .register(meters);
        }
        streams.setUncaughtExceptionHandler(e -> {
            log.error("A processor stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((next, previous) -> log.info("Processor state {} -> {}", previous, next));
        queries = new QueryResponder(topics, settings.partitions(), kafka, streams);
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
    }
}
