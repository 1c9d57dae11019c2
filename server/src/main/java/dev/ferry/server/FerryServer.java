package dev.ferry.server;

import dev.ferry.admin.AdminServer;
import dev.ferry.admin.OpenApiRoutes;
import dev.ferry.client.CommandLog;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.http.FerryVersion;
import dev.ferry.processor.ProcessorApp;
import dev.ferry.processor.StreamsMeters;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.Tracing;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.DoubleStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One Ferry process: the roles its configuration names, wired to one Kafka cluster (the embedded broker when no
 * bootstrap address is configured). Starting order follows dependencies; closing undoes it in reverse.
 */
public final class FerryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FerryServer.class);
    private static final Duration REGISTRY_LOAD_TIMEOUT = Duration.ofSeconds(60);

    /** Set once at construction, and again at start with the partition count in use (FERRY_PARTITIONS unset). */
    private FerryConfig config;
    /**
     * Ferry's latency timers as Prometheus histograms with a fixed, short set of buckets (1 ms to 1 min), so a
     * scrape stays small however many services and handlers there are, and quantiles can be taken across processes.
     */
    private static final MeterFilter LATENCY_BUCKETS = new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("ferry.")) {
                return config;
            }
            return DistributionStatisticConfig.builder()
                    .serviceLevelObjectives(DoubleStream.of(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500,
                                    5_000, 10_000, 30_000, 60_000)
                            .map(millis -> millis * 1_000_000).toArray()) // nanoseconds
                    .build()
                    .merge(config);
        }
    };

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private EmbeddedKafka embeddedKafka;
    private Readiness readiness;
    private ProcessorApp processor;
    private Dispatcher dispatcher;
    private IngressRole ingress;
    private AdminServer admin;
    private String bootstrapServers;
    /** Where traces go; null when they are off. */
    private String tracesEndpoint;

    public FerryServer(FerryConfig config) {
        this.config = config;
    }

    public FerryServer start() throws Exception {
        try {
            startRoles();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        return this;
    }

    private void startRoles() throws Exception {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install(); // Helidon logs through java.util.logging
        }
        startTracing();
        Files.createDirectories(config.dataDir());
        RecordLimits limits = config.recordLimits();
        checkPortsFree();
        Map<String, String> kafka = connectKafka(limits);
        Topics topics = config.topics();
        bindJvmMeters();
        readiness = new Readiness(kafka);
        started.push(readiness);
        readiness.start();

        RegistryView registry = new RegistryView(topics.deployments(), kafka);
        started.push(registry);
        registry.start(REGISTRY_LOAD_TIMEOUT);
        readiness.add("registry", true, () -> registry.following() ? null : "the registry view stopped");
        Roles roles = new Roles(config, kafka, topics, limits, registry, readiness, meters, started);

        LocalHandoff handoff = new LocalHandoff(topics);
        if (config.has(FerryConfig.Role.PROCESSOR)) {
            processor = ProcessorRole.start(roles, handoff);
        }
        CommandLog log = null;
        if (config.has(FerryConfig.Role.DISPATCHER) || config.has(FerryConfig.Role.INGRESS)) {
            log = roles.opened(new CommandLog(topics, kafka, limits));
            // The appends of the ingress and the dispatcher (one producer): their errors and rates on /metrics.
            new KafkaClientMetrics(log.producerForMetrics()).bindTo(meters);
        }
        if (config.has(FerryConfig.Role.DISPATCHER)) {
            dispatcher = DispatcherRole.start(roles, log);
            handoff.dispatcher(dispatcher);
        }
        OpsRoutes ops = new OpsRoutes(readiness, meters);
        if (config.has(FerryConfig.Role.INGRESS)) {
            Map<String, Map<String, String>> clusters = new HashMap<>(config.clusters());
            clusters.put(FerryConfig.DEFAULT_CLUSTER, kafka);
            ingress = IngressRole.connect(roles, log);
            handoff.replies(ingress.replies());
            SubscriptionsRole.start(roles, log, clusters);
            OpenApiRoutes openApi = AdminRole.openApi(roles, () -> ingress.port());
            ingress.serve(roles, openApi::all);
            admin = AdminRole.start(roles, ops, ingress.processorClient(), openApi, clusters, () -> ingress.port());
        } else {
            admin = AdminRole.start(roles, ops, null, null, null, null);
        }
        logStarted();
    }

    /**
     * Traces over OTLP when the environment configures an endpoint (README "Traces"); closed last, so the spans of
     * the roles' last moments are sent.
     */
    private void startTracing() {
        OpenTelemetrySdk sdk = Traces.fromEnvironment(System.getenv());
        if (sdk == null) {
            return;
        }
        Tracing.use(sdk);
        tracesEndpoint = Traces.endpoint(System.getenv());
        started.push(() -> {
            Tracing.use(null);
            sdk.close();
        });
    }

    /**
     * Ferry's Kafka cluster (the embedded broker when none is configured) with its topics created or checked.
     *
     * @return the client properties of the cluster
     */
    private Map<String, String> connectKafka(RecordLimits limits) throws Exception {
        if (config.embeddedKafka()) {
            embeddedKafka = EmbeddedKafka.start(config.dataDir().resolve("kafka"), config.embeddedKafkaPort(), 0,
                    limits, Map.of()).closedByOwner();
            started.push(embeddedKafka);
            bootstrapServers = embeddedKafka.bootstrapServers();
        } else {
            bootstrapServers = config.kafkaBootstrapServers();
        }
        // The one map of client properties every client of every role starts from (security, SASL, TLS, ...).
        Map<String, String> kafka = new HashMap<>(config.kafka());
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            int partitions = TopicSetup.ensure(admin, config.topics(), config.partitions(),
                    config.defaultPartitions(), config.replicationFactor(), limits);
            config = config.withPartitions(partitions);
        } catch (ExecutionException e) {
            throw refusedByKafka(e.getCause()).orElseThrow(() -> e);
        }
        return kafka;
    }

    /**
     * The first thing Ferry asks a cluster, at start, is where wrong credentials or missing ACLs show: say so in one
     * line that names what to check, rather than with a stack trace of the admin client.
     */
    private Optional<FerryConfig.InvalidConfig> refusedByKafka(Throwable cause) {
        if (cause instanceof AuthenticationException) {
            return Optional.of(new FerryConfig.InvalidConfig("Kafka at " + bootstrapServers + " refused Ferry's"
                    + " credentials (" + cause.getMessage() + "). Check security.protocol, sasl.mechanism,"
                    + " sasl.jaas.config and the ssl.* properties (FERRY_KAFKA_* or FERRY_KAFKA_PROPERTIES_FILE); see"
                    + " docs/operations.md."));
        }
        if (cause instanceof AuthorizationException) {
            return Optional.of(new FerryConfig.InvalidConfig("Kafka at " + bootstrapServers + " denied Ferry an"
                    + " operation it needs (" + cause.getMessage() + "). Grant the ACLs docs/operations.md lists for"
                    + " the prefix " + config.topicPrefix() + "."));
        }
        return Optional.empty();
    }

    private void bindJvmMeters() {
        meters.config().meterFilter(LATENCY_BUCKETS).meterFilter(StreamsMeters.DETAIL_LEFT_OUT);
        new JvmMemoryMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        started.push(gc);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
    }

    /** A port already taken would otherwise surface as a bind error deep inside Kafka or Helidon. */
    private void checkPortsFree() {
        if (config.embeddedKafka()) {
            checkPortFree("127.0.0.1", config.embeddedKafkaPort(), Setting.EMBEDDED_KAFKA_PORT);
        }
        if (config.has(FerryConfig.Role.INGRESS)) {
            checkPortFree(config.ingressHost(), config.ingressPort(), Setting.INGRESS_PORT);
        }
        checkPortFree(config.adminHost(), config.adminPort(), Setting.ADMIN_PORT);
    }

    private static void checkPortFree(String host, int port, Setting setting) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new FerryConfig.InvalidConfig("port " + port + " (" + setting.env() + ") on " + host
                    + " is already in use. Is another Ferry running? Stop it, or set " + setting.env()
                    + " to a free port.");
        }
    }

    private void logStarted() {
        log.info("Ferry {} started: roles {}", FerryVersion.current(), config.roles());
        log.info("  Kafka        {}{}", bootstrapServers, config.embeddedKafka() ? " (embedded broker)" : "");
        log.info("  topics       {}* with {} partitions", config.topicPrefix(), config.partitions());
        log.info("  data         {}", config.dataDir().toAbsolutePath());
        log.info("  traces       {}", tracesEndpoint == null ? "off (no OTEL_EXPORTER_OTLP_ENDPOINT)"
                : "OTLP to " + tracesEndpoint);
        if (ingress != null) {
            log.info("  ingress      http://{}:{}", config.ingressHost(), ingress.port());
        }
        log.info("  admin        http://{}:{}{}{}", config.adminHost(), adminPort(),
                ingress != null ? " (API, UI, " : " (", "/health, /health/ready, /metrics)");
        if (config.adminToken() != null) {
            log.info("  admin token  required (FERRY_ADMIN_TOKEN)");
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int ingressPort() {
        return ingress.port();
    }

    public int adminPort() {
        return admin.port();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /**
     * Stops gracefully: new requests get 503 at once, open service calls get up to {@code grace} to finish and
     * report, callers waiting on them get their answers, and then every role closes (Kafka Streams leaving its
     * group, so another processor takes over at once). What did not finish in time is run again after a restart,
     * or by another dispatcher once its lease lapses.
     */
    public void shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        if (readiness != null) {
            readiness.shuttingDown();
        }
        try {
            if (dispatcher != null) {
                int open = dispatcher.drain(grace);
                if (open > 0) {
                    log.warn("{} service call(s) still open after {}; they run again after their lease lapses",
                            open, grace);
                } else {
                    log.info("Open service calls finished");
                }
            }
            // Callers waiting here for a call that just finished get its answer before the ingress stops.
            while (ingress != null && ingress.waiting() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    public ProcessorApp processor() {
        return processor;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                log.warn("Closing {} failed", component, e);
            }
        }
    }
}
