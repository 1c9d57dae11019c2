package dev.ferry.server;

import dev.ferry.processor.ProcessorApp;
import dev.ferry.processor.ProcessorOutputs;
import dev.ferry.processor.ProcessorSettings;
import dev.ferry.processor.RegistryPolicies;

/** The processor role: the Kafka Streams application that reads the command log and decides what runs. */
final class ProcessorRole {
    private ProcessorRole() {}

    static ProcessorApp start(Roles roles, ProcessorOutputs outputs) {
        FerryConfig config = roles.config();
        ProcessorSettings settings = new ProcessorSettings(
                new RegistryPolicies(roles.registry(), config.serviceDefaults()), roles.registry()::registry,
                config.partitions(), config.dispatchLease(), config.timerTick(), roles.limits(),
                config.resultTopics(), config.maxInboxLength(), config.storeMemoryBytes());
        ProcessorApp processor = roles.opened(new ProcessorApp(roles.topics(), settings, roles.kafka(),
                config.streams(), config.dataDir().resolve("streams"), roles.meters(), outputs));
        processor.start();
        roles.readiness().add("processor", false,
                () -> processor.running() ? null : "Kafka Streams is " + processor.state() + ", not RUNNING"
                        + (processor.stoppedBecause() != null ? ": " + processor.stoppedBecause() : ""));
        return processor;
    }
}
