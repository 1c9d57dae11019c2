package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class StreamsMetersTest {
    @Test
    void theClientsThreadsAndTasksMetricsAreKeptAndThosePerStoreNodeCacheAndTopicLeftOut() {
        MeterRegistry meters = new SimpleMeterRegistry();
        meters.config().meterFilter(StreamsMeters.DETAIL_LEFT_OUT);

        // Named as Micrometer's Kafka binder names them: "kafka.", the group without "-metrics", the metric.
        for (String name : new String[] {"kafka.stream.alive.stream.threads", "kafka.stream.thread.process.rate",
            "kafka.stream.task.dropped.records.total", "kafka.stream.state.put.rate",
            "kafka.stream.processor.node.process.total", "kafka.stream.record.cache.hit.ratio.avg",
            "kafka.stream.topic.records.produced.total", "kafka.consumer.fetch.manager.records.consumed.total"}) {
            meters.gauge(name, 1.0);
        }

        assertThat(meters.getMeters()).extracting(meter -> meter.getId().getName()).containsExactlyInAnyOrder(
                "kafka.stream.alive.stream.threads", "kafka.stream.thread.process.rate",
                "kafka.stream.task.dropped.records.total", "kafka.consumer.fetch.manager.records.consumed.total");
    }
}
