package dev.ferry.server;

import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.dispatcher.DispatcherSettings;
import dev.ferry.ingress.AdminApi;
import dev.ferry.ingress.Attachments;
import dev.ferry.ingress.IngressRoutes;
import dev.ferry.ingress.IngressServer;
import dev.ferry.ingress.IngressSettings;
import dev.ferry.ingress.InvocationAdmin;
import dev.ferry.ingress.InvocationQueries;
import dev.ferry.ingress.OpenApiRoutes;
import dev.ferry.ingress.Invocations;
import dev.ferry.ingress.ProcessorClient;
import dev.ferry.ingress.ReplyListener;
import dev.ferry.ingress.SubscriptionRunner;
import dev.ferry.ingress.SubscriptionsApi;
import dev.ferry.ingress.UiRoutes;
import dev.ferry.ingress.Waiters;
import dev.ferry.processor.ProcessorApp;
import dev.ferry.processor.ProcessorSettings;
import dev.ferry.processor.RegistryPolicies;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.RegistryWriter;
import dev.ferry.schemas.CommandLog;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import dev.ferry.ingress.AdminAuth;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.util.stream.DoubleStream;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
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

    private final FerryConfig config;
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
    private Waiters waiters;
    private IngressServer ingress;
    private OpsServer opsServer;
    private String bootstrapServers;

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
        Files.createDirectories(config.dataDir());
        RecordLimits limits = config.recordLimits();
        checkPortsFree();
        if (config.embeddedKafka()) {
            embeddedKafka = EmbeddedKafka.start(config.dataDir().resolve("kafka"), config.embeddedKafkaPort(), 0,
                    limits, Map.of()).closedByOwner();
            started.push(embeddedKafka);
            bootstrapServers = embeddedKafka.bootstrapServers();
        } else {
            bootstrapServers = config.kafkaBootstrapServers();
        }
        Map<String, String> kafka = new HashMap<>(config.kafka());
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Topics topics = config.topics();

        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            TopicSetup.ensure(admin, topics, config.partitions(), config.replicationFactor(), limits);
        }

        meters.config().meterFilter(LATENCY_BUCKETS);
        new JvmMemoryMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        started.push(gc);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        readiness = new Readiness(kafka);
        started.push(readiness);
        readiness.start();
        OpsRoutes ops = new OpsRoutes(readiness, meters);

        RegistryView registry = new RegistryView(topics.deployments(), kafka);
        started.push(registry);
        registry.start(REGISTRY_LOAD_TIMEOUT);
        readiness.add("registry", true, () -> registry.following() ? null : "the registry view stopped");

        if (config.has(FerryConfig.Role.PROCESSOR)) {
            ProcessorSettings settings = new ProcessorSettings(new RegistryPolicies(registry, config.serviceDefaults()),
                    registry::registry, config.partitions(), config.dispatchLease(), config.timerTick(), limits,
                    config.resultTopics(), config.maxInboxLength());
            processor = new ProcessorApp(topics, settings, kafka, config.streams(),
                    config.dataDir().resolve("streams"), meters);
            started.push(processor);
            processor.start();
            ProcessorApp app = processor;
            readiness.add("processor", false,
                    () -> app.running() ? null : "Kafka Streams is " + app.state() + ", not RUNNING"
                            + (app.stoppedBecause() != null ? ": " + app.stoppedBecause() : ""));
        }

        CommandLog commandLog = null;
        if (config.has(FerryConfig.Role.DISPATCHER) || config.has(FerryConfig.Role.INGRESS)) {
            commandLog = new CommandLog(topics, kafka, limits);
            started.push(commandLog);
        }

        if (config.has(FerryConfig.Role.DISPATCHER)) {
            dispatcher = new Dispatcher(topics,
                    new DispatcherSettings(config.dispatcherMaxInFlight(), config.dispatcherConnectTimeout(),
                            config.signingKey(), limits),
                    kafka, commandLog, registry, meters);
            started.push(dispatcher);
            dispatcher.start();
            Dispatcher running = dispatcher;
            readiness.add("dispatcher", false, () -> running.polling() ? null : "the dispatcher stopped polling");
        }

        if (config.has(FerryConfig.Role.INGRESS)) {
            String ingressId = "ingress-" + UUID.randomUUID();
            waiters = new Waiters(config.maxWaitersPerInvocation());
            ReplyListener replies = new ReplyListener(topics.replies(), ingressId, waiters, kafka, limits);
            started.push(replies);
            replies.start();
            readiness.add("replies", true, () -> replies.listening() ? null : "the reply listener stopped");
            RegistryWriter registryWriter = new RegistryWriter(topics.deployments(), kafka);
            started.push(registryWriter);
            HttpClient discoveryClient = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            started.push(discoveryClient::shutdownNow);
            // The ingress's commands go to the requests topic: only there is a replyTo honoured.
            CommandLog requests = new CommandLog(topics.requests(), kafka, limits);
            started.push(requests);
            ProcessorClient processorClient = new ProcessorClient(ingressId, requests, waiters);
            OpenApiRoutes openApi = new OpenApiRoutes(registry, () -> ingress.ingressPort());
            IngressRoutes ingressRoutes = new IngressRoutes(new Invocations(registry, processorClient, config.serviceDefaults()),
                    new Attachments(registry, processorClient), openApi, registry, meters, readiness::ingressProblem);
            AdminApi admin = new AdminApi(registry, registryWriter, config.serviceDefaults(), discoveryClient);
            InvocationQueries invocationQueries = new InvocationQueries(topics, ingressId, waiters,
                    commandLog.partitions(), kafka);
            started.push(invocationQueries);
            InvocationAdmin invocationAdmin = new InvocationAdmin(processorClient, invocationQueries);
            Map<String, Map<String, String>> clusters = new HashMap<>();
            config.clusters().forEach((name, properties) -> clusters.put(name, properties));
            clusters.put(FerryConfig.DEFAULT_CLUSTER, kafka);
            SubscriptionsApi subscriptions = new SubscriptionsApi(registry, registryWriter, clusters,
                    config.resultTopics());
            // Subscriptions submit on the log, as any producer of Ferry's cluster may: nobody waits for their
            // invocations, so they need no replyTo, and the processor checks their result topics like anyone's.
            SubscriptionRunner subscriptionRunner = new SubscriptionRunner(topics, registry, commandLog, clusters,
                    limits);
            started.push(subscriptionRunner);
            subscriptionRunner.start();
            UiRoutes ui = new UiRoutes(() -> ingress.ingressPort());
            ingress = new IngressServer(config.ingressHost(), config.ingressPort(), config.adminHost(),
                    config.adminPort(),
                    new IngressSettings(config.maxBodyBytes(), config.adminAllowedOrigins()), ingressRoutes::routes,
                    routing -> {
                        if (config.adminToken() != null) {
                            routing.addFilter(new AdminAuth(config.adminToken()));
                        }
                        ops.routes(routing);
                        routing.get("/services/{name}/openapi", openApi::service);
                        admin.routes(routing);
                        invocationAdmin.routes(routing);
                        subscriptions.routes(routing);
                        ui.routes(routing);
                    });
            started.push(ingress);
            ingress.start();
        } else {
            opsServer = new OpsServer(config.adminHost(), config.adminPort(), ops, config.adminToken());
            started.push(opsServer);
            opsServer.start();
        }
        logStarted();
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
        log.info("Ferry started: roles {}", config.roles());
        log.info("  Kafka        {}{}", bootstrapServers, config.embeddedKafka() ? " (embedded broker)" : "");
        log.info("  topics       {}* with {} partitions", config.topicPrefix(), config.partitions());
        log.info("  data         {}", config.dataDir().toAbsolutePath());
        if (ingress != null) {
            log.info("  ingress      http://{}:{}", config.ingressHost(), ingress.ingressPort());
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
        return ingress.ingressPort();
    }

    public int adminPort() {
        return ingress != null ? ingress.adminPort() : opsServer.port();
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
            while (waiters != null && waiters.size() > 0 && System.nanoTime() < deadline) {
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
