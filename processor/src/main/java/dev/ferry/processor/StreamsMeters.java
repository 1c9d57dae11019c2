package dev.ferry.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Which of Kafka Streams' metrics a process's {@code /metrics} carries: the client's, the stream threads' and the
 * tasks' (process rates and latencies, commits, dropped records), not those per state store, processor node,
 * record cache and topic. Those come to about 10,000 series a process (94 per store, nine stores a task, twelve
 * tasks), each tagged with the stream thread's name, which changes at every start: a scrape of 11,400 series a
 * process, and new series in Prometheus after every restart. They stay in JMX, where Kafka reports every metric.
 * The binder still reads them all once when the tasks appear (about 330 ms of CPU, docs/performance.md).
 */
public final class StreamsMeters implements AutoCloseable {
    /** Micrometer's names for Kafka Streams' metric groups left out of {@code /metrics}. */
    static final List<String> LEFT_OUT = List.of(
            "kafka.stream.state.", "kafka.stream.processor.node.", "kafka.stream.record.cache.", "kafka.stream.topic.");
    /** Configured on the registry before any meter is registered (Micrometer applies filters to later meters). */
    public static final MeterFilter DETAIL_LEFT_OUT =
            MeterFilter.deny(id -> LEFT_OUT.stream().anyMatch(id.getName()::startsWith));
    /**
     * How often the binder looks for metrics Kafka Streams has added: the tasks' appear once the first rebalance
     * assigns them. Micrometer's default is a minute; a look that finds nothing new compares two sets of names.
     */
    static final Duration REFRESH = Duration.ofSeconds(10);

    private final ScheduledExecutorService refresher;
    private final KafkaStreamsMetrics binder;

    public StreamsMeters(KafkaStreams streams, MeterRegistry meters) {
        refresher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .name("ferry-streams-metrics").daemon().unstarted(r));
        binder = new KafkaStreamsMetrics(streams, Tags.empty(), refresher, REFRESH);
        binder.bindTo(meters);
    }

    /** Removes the meters it bound and stops looking. */
    @Override
    public void close() {
        binder.close();
        refresher.shutdownNow();
    }
}
