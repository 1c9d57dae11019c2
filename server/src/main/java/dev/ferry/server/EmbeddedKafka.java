package dev.ferry.server;

import dev.ferry.schemas.RecordLimits;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Embedded single-node Apache Kafka 4.3.1 broker in KRaft combined mode
 * (process.roles=broker,controller in this JVM), data persisted under {@code dataDir}.
 *
 * <p>Layout: {@code dataDir/kafka-logs} holds both the partition data and the
 * {@code __cluster_metadata} log (metadata.log.dir defaults to the first log.dirs entry).
 * The directory is formatted with {@link Formatter} only if {@code meta.properties} is absent,
 * so a later {@link #start} on the same directory reuses the cluster id and all data.
 *
 * <p>The quorum is static ({@code controller.quorum.voters}, kraft.version=0): the voter
 * endpoint is read from config on every start, so a restart with a different controller port
 * on the same data directory is fine.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** The first and only voter (see {@link BrokerProperties#voters}). */
    private static final int NODE_ID = 1;
    private static final String HOST = BrokerProperties.HOST;

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final int port;
    private final int controllerPort;
    private final Path logDir;
    private final Thread shutdownHook;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, int port, int controllerPort, Path logDir) {
        this.server = server;
        this.port = port;
        this.controllerPort = controllerPort;
        this.bootstrapServers = HOST + ":" + port;
        this.logDir = logDir;
        // A hard kill leaves the broker registration "alive" in the metadata log: the next start
        // then waits broker.session.timeout.ms and in-flight transaction markers can get lost.
        // So always try to shut down cleanly when the JVM exits.
        this.shutdownHook = new Thread(this::close, "embedded-kafka-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the broker; {@code port}/{@code controllerPort} may be 0 to pick free ports. */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
        return start(dataDir, port, controllerPort, RecordLimits.DEFAULT, Map.of());
    }

    /**
     * As {@link #start(Path, int, int)}, taking records as large as {@code limits} allow, with extra/overriding
     * broker properties.
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort, RecordLimits limits,
            Map<String, String> overrides) {
        try {
            Path logDir = dataDir.toAbsolutePath().resolve("kafka-logs");
            Files.createDirectories(logDir);

            // Port 0 = "pick one": prefer the ports this data dir used last time (stable
            // advertised endpoints across restarts), else any free port.
            Properties last = loadPorts(dataDir);
            int brokerPort = port != 0 ? port : reuseOrPick(last, "port", -1);
            int ctrlPort = controllerPort != 0 ? controllerPort : reuseOrPick(last, "controller.port", brokerPort);
            savePorts(dataDir, brokerPort, ctrlPort);

            Properties props = new Properties();
            props.putAll(brokerConfig(logDir, brokerPort, ctrlPort, limits));
            props.putAll(overrides);
            KafkaConfig config = new KafkaConfig(props, false);

            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config, logDir);
            }

            long t0 = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                // Returns once the broker is unfenced and its listeners accept requests.
                server.startup();
            } catch (Throwable t) {
                try {
                    server.shutdown();
                    server.awaitShutdown();
                } catch (Throwable suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            }
            LOG.info("Embedded Kafka started on {}:{} (controller {}) in {} ms, data {}",
                    HOST, brokerPort, ctrlPort, (System.nanoTime() - t0) / 1_000_000, logDir);
            return new EmbeddedKafka(server, brokerPort, ctrlPort, logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to start embedded Kafka in " + dataDir, e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Failed to start embedded Kafka in " + dataDir, e);
        }
    }

    static Map<String, String> brokerConfig(Path logDir, int port, int controllerPort, RecordLimits limits) {
        // one node, the only voter: every topic, Kafka's internal ones too, has one replica and one partition
        return BrokerProperties.of(NODE_ID, port, controllerPort, BrokerProperties.voters(List.of(controllerPort)),
                logDir, BrokerProperties.Replication.SINGLE_NODE, 1, limits);
    }

    private static void format(KafkaConfig config, Path logDir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            Formatter formatter = new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(config.controllerListenerNames().get(0))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    // static controller.quorum.voters => kraft.version 0 (no dynamic quorum)
                    .setHasDynamicQuorum(false)
                    .setIgnoreFormatted(false);
            formatter.addDirectory(logDir.toString());
            formatter.run();
        }
        LOG.info("Formatted {}: {}", logDir, out.toString(StandardCharsets.UTF_8).strip());
    }

    private static final String PORTS_FILE = "embedded-kafka-ports.properties";

    private static Properties loadPorts(Path dataDir) throws IOException {
        Properties p = new Properties();
        Path f = dataDir.resolve(PORTS_FILE);
        if (Files.exists(f)) {
            try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    private static void savePorts(Path dataDir, int port, int controllerPort) throws IOException {
        Properties p = new Properties();
        p.setProperty("port", Integer.toString(port));
        p.setProperty("controller.port", Integer.toString(controllerPort));
        try (var w = Files.newBufferedWriter(dataDir.resolve(PORTS_FILE), StandardCharsets.UTF_8)) {
            p.store(w, "ports last used by EmbeddedKafka");
        }
    }

    private static int reuseOrPick(Properties last, String key, int exclude) throws IOException {
        String v = last.getProperty(key);
        if (v != null) {
            int p = Integer.parseInt(v.trim());
            if (p > 0 && p != exclude && isFree(p)) {
                return p;
            }
        }
        return freePort(exclude);
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(int exclude) throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                int p = s.getLocalPort();
                if (p != exclude) {
                    return p;
                }
            }
        }
        throw new IOException("Could not find a free port");
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /**
     * The caller closes this broker itself, in order, on the way out (Ferry's own shutdown closes the roles first,
     * then the broker): drop the JVM hook that would otherwise stop the broker in parallel, under the roles' feet.
     */
    public EmbeddedKafka closedByOwner() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyShuttingDown) {
            // the owner's hook is running
        }
        return this;
    }

    public Path logDir() {
        return logDir;
    }

    /** Controlled shutdown (broker first, then controller); blocks until all threads have stopped. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException jvmAlreadyShuttingDown) {
                // ignore
            }
        }
        long t0 = System.nanoTime();
        try {
            server.shutdown();
        } finally {
            server.awaitShutdown();
        }
        LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers, (System.nanoTime() - t0) / 1_000_000);
    }
}
