package dev.ferry.server;

import dev.ferry.processor.ProcessorApp;
import dev.ferry.processor.ProcessorOutputs;
import dev.ferry.processor.ProcessorSettings;
import dev.ferry.processor.RegistryPolicies;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/** The processor role: the Kafka Streams application that reads the command log and decides what runs. */
final class ProcessorRole {
    private ProcessorRole() {}

    static ProcessorApp start(Roles roles, ProcessorOutputs outputs) {
        FerryConfig config = roles.config();
        ProcessorSettings settings = new ProcessorSettings(
                new RegistryPolicies(roles.registry(), config.serviceDefaults()), roles.registry()::registry,
                config.partitions(), config.dispatchLease(), config.timerTick(), roles.limits(),
                config.resultTopics(), config.maxInboxLength(), config.storeMemoryBytes(),
                config.processorLinger());
        // The changelogs Kafka Streams creates hold the invocations' state: as many copies as Ferry's own topics.
        Map<String, String> streams = new HashMap<>();
        if (config.replicationFactor() != null) {
            streams.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor().toString());
        }
        streams.putAll(config.streams());
        ProcessorApp processor = roles.opened(new ProcessorApp(roles.topics(), settings, roles.kafka(),
                streams, config.dataDir().resolve("streams"), roles.meters(), outputs));
        processor.start();
        roles.readiness().add("processor", false,
                () -> processor.running() ? null : "Kafka Streams is " + processor.state() + ", not RUNNING"
                        + (processor.stoppedBecause() != null ? ": " + processor.stoppedBecause() : ""));
        return processor;
    }
}
