package dev.ferry.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Kafka broker the tests share, started once per test JVM: Testcontainers' Kafka where a Docker engine
 * answers, otherwise Ferry's embedded KRaft broker (a real broker either way). Each test's Ferry uses its own
 * topic prefix, so tests do not see each other's records.
 */
final class TestKafka {
    private static String bootstrapServers;

    private TestKafka() {}

    static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            bootstrapServers = dockerAvailable() ? startContainer() : startEmbedded();
        }
        return bootstrapServers;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            return false;
        }
    }

    @SuppressWarnings("resource") // lives as long as the test JVM; Testcontainers' reaper removes it
    private static String startContainer() {
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"))
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", "67108864")
                .withEnv("KAFKA_REPLICA_FETCH_MAX_BYTES", "67108864")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        kafka.start();
        return kafka.getBootstrapServers();
    }

    private static String startEmbedded() {
        try {
            Path dir = Files.createTempDirectory("ferry-test-kafka");
            EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, 0);
            return kafka.bootstrapServers(); // closed by its shutdown hook when the test JVM exits
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
