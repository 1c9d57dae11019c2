package dev.ferry.server;

import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.dispatcher.DispatcherSettings;
import dev.ferry.ingress.AdminApi;
import dev.ferry.ingress.Attachments;
import dev.ferry.ingress.IngressRoutes;
import dev.ferry.ingress.IngressServer;
import dev.ferry.ingress.IngressSettings;
import dev.ferry.ingress.InvocationAdmin;
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
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedKafka embeddedKafka;
    private ProcessorApp processor;
    private IngressServer ingress;
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
        checkPortsFree();
        if (config.embeddedKafka()) {
            embeddedKafka = EmbeddedKafka.start(config.dataDir().resolve("kafka"), config.embeddedKafkaPort(), 0);
            started.push(embeddedKafka);
            bootstrapServers = embeddedKafka.bootstrapServers();
        } else {
            bootstrapServers = config.kafkaBootstrapServers();
        }
        Map<String, String> kafka = new HashMap<>(config.kafka());
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Topics topics = config.topics();

        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            TopicSetup.ensure(admin, topics, config.partitions(), config.replicationFactor());
        }

        RegistryView registry = new RegistryView(topics.deployments(), kafka);
        started.push(registry);
        registry.start(REGISTRY_LOAD_TIMEOUT);

        if (config.has(FerryConfig.Role.PROCESSOR)) {
            ProcessorSettings settings = new ProcessorSettings(new RegistryPolicies(registry, config.serviceDefaults()),
                    registry::registry, config.partitions(), config.dispatchLease(), config.timerTick());
            processor = new ProcessorApp(topics, settings, kafka, config.streams(),
                    config.dataDir().resolve("streams"));
            started.push(processor);
            processor.start();
        }

        CommandLog commandLog = null;
        if (config.has(FerryConfig.Role.DISPATCHER) || config.has(FerryConfig.Role.INGRESS)) {
            commandLog = new CommandLog(topics, kafka);
            started.push(commandLog);
        }

        if (config.has(FerryConfig.Role.DISPATCHER)) {
            Dispatcher dispatcher = new Dispatcher(topics,
                    new DispatcherSettings(config.dispatcherMaxInFlight(), config.dispatcherConnectTimeout()),
                    kafka, commandLog, registry);
            started.push(dispatcher);
            dispatcher.start();
        }

        if (config.has(FerryConfig.Role.INGRESS)) {
            String ingressId = "ingress-" + UUID.randomUUID();
            Waiters waiters = new Waiters();
            ReplyListener replies = new ReplyListener(topics.replies(), ingressId, waiters, kafka);
            started.push(replies);
            replies.start();
            RegistryWriter registryWriter = new RegistryWriter(topics.deployments(), kafka);
            started.push(registryWriter);
            HttpClient discoveryClient = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            started.push(discoveryClient::shutdownNow);
            ProcessorClient processorClient = new ProcessorClient(ingressId, commandLog, waiters);
            OpenApiRoutes openApi = new OpenApiRoutes(registry, () -> ingress.ingressPort());
            IngressRoutes ingressRoutes = new IngressRoutes(new Invocations(registry, processorClient, config.serviceDefaults()),
                    new Attachments(registry, processorClient), openApi, registry);
            AdminApi admin = new AdminApi(registry, registryWriter, config.serviceDefaults(), discoveryClient);
            InvocationAdmin invocationAdmin = new InvocationAdmin(processorClient);
            Map<String, Map<String, String>> clusters = new HashMap<>();
            config.clusters().forEach((name, properties) -> clusters.put(name, properties));
            clusters.put(FerryConfig.DEFAULT_CLUSTER, kafka);
            SubscriptionsApi subscriptions = new SubscriptionsApi(registry, registryWriter, clusters);
            SubscriptionRunner subscriptionRunner = new SubscriptionRunner(topics, registry, commandLog, clusters);
            started.push(subscriptionRunner);
            subscriptionRunner.start();
            UiRoutes ui = new UiRoutes(() -> ingress.ingressPort());
            ingress = new IngressServer(config.ingressHost(), config.ingressPort(), config.adminHost(),
                    config.adminPort(), new IngressSettings(config.maxBodyBytes()), ingressRoutes::routes,
                    routing -> {
                        routing.get("/services/{name}/openapi", openApi::service);
                        admin.routes(routing);
                        invocationAdmin.routes(routing);
                        subscriptions.routes(routing);
                        ui.routes(routing);
                    });
            started.push(ingress);
            ingress.start();
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
            checkPortFree(config.adminHost(), config.adminPort(), Setting.ADMIN_PORT);
        }
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
            log.info("  admin        http://{}:{}", config.adminHost(), ingress.adminPort());
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int ingressPort() {
        return ingress.ingressPort();
    }

    public int adminPort() {
        return ingress.adminPort();
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
