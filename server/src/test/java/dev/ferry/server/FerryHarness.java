package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.example.ExampleService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A whole Ferry for a test: every role in this JVM on a real broker, with the example service registered
 * over real HTTP. By default it joins the shared test broker under its own topic prefix; {@link #embedded}
 * gives it its own embedded broker, for tests that stop and restart the whole stack.
 */
final class FerryHarness implements AutoCloseable {
    final Map<String, String> env = new HashMap<>();
    final Path dataDir;
    private FerryServer server;
    private ExampleService example;

    private FerryHarness(Path dataDir) {
        this.dataDir = dataDir;
        env.put("FERRY_DATA_DIR", dataDir.toString());
        env.put("FERRY_INGRESS_PORT", "0");
        env.put("FERRY_ADMIN_PORT", "0");
        env.put("FERRY_INGRESS_HOST", "127.0.0.1");
        env.put("FERRY_ADMIN_HOST", "127.0.0.1");
        env.put("FERRY_PARTITIONS", "4");
        // Short leases, so tests that stop a dispatcher mid-call see the attempt run again within seconds.
        env.put("FERRY_DISPATCH_LEASE", "2s");
    }

    /** A Ferry on the shared test broker, under a topic prefix of its own. */
    static FerryHarness onSharedKafka() {
        FerryHarness harness = onKafka(TestKafka.bootstrapServers());
        harness.env.put("FERRY_TOPIC_PREFIX", "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        return harness;
    }

    /** A Ferry on the broker at {@code bootstrapServers}, with the default topic prefix. */
    static FerryHarness onKafka(String bootstrapServers) {
        FerryHarness harness = new FerryHarness(tempDir());
        harness.env.put("FERRY_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        return harness;
    }

    /** A Ferry with its own embedded broker, its data in a directory of its own. */
    static FerryHarness embedded() {
        FerryHarness harness = new FerryHarness(tempDir());
        harness.env.put("FERRY_EMBEDDED_KAFKA_PORT", "0");
        return harness;
    }

    FerryHarness with(String name, String value) {
        env.put(name, value);
        return this;
    }

    FerryHarness start() throws Exception {
        if (!env.containsKey("FERRY_ROLES") && !env.containsKey("FERRY_EMBEDDED_KAFKA_PORT")) {
            // Every role in one process, as `./ferry` runs them: its processor gathers its outputs as it does on
            // its embedded broker (FerryConfig.processorLinger), which a shared broker would otherwise turn off.
            env.putIfAbsent(Setting.PROCESSOR_LINGER.env(), FerryConfig.ALONE_PROCESSOR_LINGER.toMillis() + "ms");
        }
        server = new FerryServer(FerryConfig.load(env)).start();
        return this;
    }

    /** Stops every role (and the embedded broker, if any), keeping the data directory. */
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts the example service and registers it; returns it for its execution counters. */
    /** Settings for a role process (a {@link FerryProcess}) joining this Ferry: same broker, topics and partitions. */
    Map<String, String> roleEnv(String roles) throws IOException {
        Map<String, String> role = new HashMap<>();
        role.put("FERRY_ROLES", roles);
        role.put("FERRY_KAFKA_BOOTSTRAP_SERVERS", env.get("FERRY_KAFKA_BOOTSTRAP_SERVERS"));
        role.put("FERRY_TOPIC_PREFIX", env.get("FERRY_TOPIC_PREFIX"));
        role.put("FERRY_PARTITIONS", env.get("FERRY_PARTITIONS"));
        role.put("FERRY_DISPATCH_LEASE", env.get("FERRY_DISPATCH_LEASE"));
        role.put("FERRY_DATA_DIR", Files.createTempDirectory("ferry-role").toString());
        role.put("FERRY_ADMIN_HOST", "127.0.0.1");
        role.put("FERRY_ADMIN_PORT", "0"); // every process serves health and metrics there; any free port
        role.put("FERRY_KAFKA_SESSION_TIMEOUT_MS", "6000");
        role.put("FERRY_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        // A killed member leaves no goodbye: the group reassigns its partitions once its session times out.
        role.put("FERRY_STREAMS_SESSION_TIMEOUT_MS", "6000");
        role.put("FERRY_STREAMS_HEARTBEAT_INTERVAL_MS", "1000");
        return role;
    }

    ExampleService registerExample() {
        if (example == null) {
            example = new ExampleService("127.0.0.1", 0).start();
        }
        Http.Response registered = admin().postJson("/deployments",
                "{\"uri\":\"http://127.0.0.1:" + example.port() + "\"}");
        assertThat(registered.status()).as(registered.toString()).isIn(200, 201);
        return example;
    }

    ExampleService example() {
        return example;
    }

    FerryServer server() {
        return server;
    }

    Http ingress() {
        return new Http("http://127.0.0.1:" + server.ingressPort());
    }

    Http admin() {
        return new Http("http://127.0.0.1:" + server.adminPort());
    }

    @Override
    public void close() {
        stop();
        if (example != null) {
            example.close();
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ferry-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
