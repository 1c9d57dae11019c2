package dev.ferry.server;

import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Topics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Deque;
import java.util.Map;

/**
 * What every role of one process starts from: its configuration, the Kafka client properties of Ferry's cluster,
 * the registry view, the readiness checks and the meters. A role pushes what it opens onto {@code started}, so
 * the process closes everything in the reverse order of starting.
 */
record Roles(FerryConfig config, Map<String, String> kafka, Topics topics, RecordLimits limits,
        RegistryView registry, Readiness readiness, PrometheusMeterRegistry meters, Deque<AutoCloseable> started) {

    /** Remembers a component for closing, and returns it. */
    <T extends AutoCloseable> T opened(T component) {
        started.push(component);
        return component;
    }
}
