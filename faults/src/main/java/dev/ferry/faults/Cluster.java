package dev.ferry.faults;

import dev.ferry.schemas.RecordLimits;
import dev.ferry.server.BrokerProperties;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * The system under test as separate OS processes: three Kafka brokers in KRaft combined mode (each broker and
 * controller, a static quorum of three voters) with replication 3 and {@code min.insync.replicas=2}, and Ferry's roles,
 * each a {@code dev.ferry.server.Main} of its own (two processors, two dispatchers, two ingresses by default). Every
 * process has its own data directory and fixed ports under the run directory, so a restart finds its state again.
 *
 * <p>Ferry creates its topics with {@code FERRY_REPLICATION_FACTOR=3} but sets no {@code min.insync.replicas} on them;
 * the brokers' default ({@code min.insync.replicas=2}, {@code default.replication.factor=3}) covers Ferry's topics and
 * Kafka Streams' internal ones, which the processor creates with {@code replication.factor=3}
 * ({@code FERRY_STREAMS_REPLICATION_FACTOR}).
 */
public final class Cluster implements AutoCloseable {
    /** Every process listens on the loopback interface, the brokers where {@link BrokerProperties} has them. */
    static final String HOST = BrokerProperties.HOST;
    public static final String PREFIX = "faults.";

    private final Path dir;
    private final List<Member> brokers = new ArrayList<>();
    private final List<Member> roles = new ArrayList<>();
    private final String bootstrap;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** Sizes and settings of the cluster. */
    public record Spec(int brokers, int processors, int dispatchers, int ingresses, int partitions,
            String brokerHeap, String ferryHeap, String dispatchLease) {
        public static Spec standard() {
            return new Spec(3, 2, 2, 2, 6, "320m", "256m", "3s");
        }
    }

    public Cluster(Path dir, Spec spec) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        List<Integer> brokerPorts = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < spec.brokers(); i++) {
            brokerPorts.add(freePort(taken));
            controllerPorts.add(freePort(taken));
        }
        bootstrap = brokerPorts.stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
        String voters = BrokerProperties.voters(controllerPorts);
        String clusterId = Uuid.randomUuid().toString();
        for (int i = 0; i < spec.brokers(); i++) {
            int id = i + 1;
            Path nodeDir = dir.resolve("broker-" + id);
            Path logDir = nodeDir.resolve("kafka-logs");
            Files.createDirectories(logDir);
            Map<String, String> props = brokerConfig(id, brokerPorts.get(i), controllerPorts.get(i), voters, logDir,
                    spec.brokers());
            Path file = nodeDir.resolve("server.properties");
            Properties p = new Properties();
            p.putAll(props);
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(w, "broker " + id + " of the fault run");
            }
            format(id, clusterId, logDir);
            List<String> command = java(spec.brokerHeap(), "kafka.Kafka");
            command.add(file.toString());
            brokers.add(new Member("broker-" + id, Member.Kind.BROKER, command, Map.of(),
                    nodeDir.resolve("broker.log"), brokerPorts.get(i), 0));
        }
        addRoles(spec, "processor", Member.Kind.PROCESSOR, spec.processors(), taken);
        addRoles(spec, "dispatcher", Member.Kind.DISPATCHER, spec.dispatchers(), taken);
        addRoles(spec, "ingress", Member.Kind.INGRESS, spec.ingresses(), taken);
    }

    private void addRoles(Spec spec, String role, Member.Kind kind, int count, Set<Integer> taken)
            throws IOException {
        for (int i = 1; i <= count; i++) {
            String name = role + "-" + i;
            Path nodeDir = dir.resolve(name);
            Files.createDirectories(nodeDir);
            int ingressPort = kind == Member.Kind.INGRESS ? freePort(taken) : 0;
            int adminPort = freePort(taken);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("FERRY_ROLES", role);
            env.put("FERRY_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
            env.put("FERRY_TOPIC_PREFIX", PREFIX);
            env.put("FERRY_PARTITIONS", Integer.toString(spec.partitions()));
            env.put("FERRY_REPLICATION_FACTOR", "3");
            env.put("FERRY_STREAMS_REPLICATION_FACTOR", "3");
            env.put("FERRY_DATA_DIR", nodeDir.resolve("data").toString());
            env.put("FERRY_INGRESS_HOST", HOST);
            env.put("FERRY_ADMIN_HOST", HOST);
            // Roles without an ingress do not listen on it; give them one that is free anyway.
            env.put("FERRY_INGRESS_PORT", Integer.toString(ingressPort == 0 ? freePort(taken) : ingressPort));
            env.put("FERRY_ADMIN_PORT", Integer.toString(adminPort));
            env.put("FERRY_DISPATCH_LEASE", spec.dispatchLease());
            env.put("FERRY_RETRY_MAX_INTERVAL", "5s");
            // A dead member says no goodbye: its group moves its partitions once its session times out.
            env.put("FERRY_STREAMS_SESSION_TIMEOUT_MS", "6000");
            env.put("FERRY_STREAMS_HEARTBEAT_INTERVAL_MS", "1000");
            env.put("FERRY_KAFKA_SESSION_TIMEOUT_MS", "6000");
            env.put("FERRY_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
            env.put("FERRY_SHUTDOWN_GRACE", "2s");
            List<String> command = java(spec.ferryHeap(), "dev.ferry.server.Main");
            roles.add(new Member(name, kind, command, env, nodeDir.resolve(name + ".log"), ingressPort,
                    adminPort));
        }
    }

    private static List<String> java(String heap, String main) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-Xms64m");
        // Ten JVMs on a small machine: fewer GC and compiler threads, C1 only.
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        return command;
    }

    static Map<String, String> brokerConfig(int id, int port, int controllerPort, String voters, Path logDir,
            int brokers) {
        // Replication 3 everywhere, and a write needs two replicas (fewer with fewer brokers); six partitions of
        // Kafka's offsets and transaction topics (see BrokerProperties.of).
        int replication = Math.min(3, brokers);
        Map<String, String> p = BrokerProperties.of(id, port, controllerPort, voters, logDir,
                new BrokerProperties.Replication(replication, Math.min(2, replication)), 6, RecordLimits.DEFAULT);
        // What only this cluster sets, on top. A replica that is out of sync never becomes the leader (Kafka's
        // default, stated).
        p.put("unclean.leader.election.enable", "false");
        // Ten JVMs on a small machine: few threads per broker.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.replica.fetchers", "1");
        p.put("background.threads", "2");
        // A dead broker is fenced within seconds (broker.session.timeout.ms in BrokerProperties) and leaves the
        // ISRs after ten (Kafka's default is thirty).
        p.put("replica.lag.time.max.ms", "10000");
        return p;
    }

    private static void format(int id, String clusterId, Path logDir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            Formatter formatter = new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(id)
                    .setClusterId(clusterId)
                    .setControllerListenerName(BrokerProperties.CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .setHasDynamicQuorum(false)
                    .setIgnoreFormatted(false);
            formatter.addDirectory(logDir.toString());
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting " + logDir + " failed: " + out, e);
        }
    }

    private static int freePort(Set<Integer> taken) throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                if (taken.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no free port");
    }

    public String bootstrap() {
        return bootstrap;
    }

    public List<Member> brokers() {
        return brokers;
    }

    public List<Member> roles() {
        return roles;
    }

    public List<Member> all() {
        List<Member> all = new ArrayList<>(brokers);
        all.addAll(roles);
        return all;
    }

    public List<Member> ingresses() {
        return roles.stream().filter(n -> n.kind() == Member.Kind.INGRESS).toList();
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"));
    }

    /** Starts the brokers and waits until all of them are in the cluster. */
    public void startBrokers(Duration timeout) throws InterruptedException {
        brokers.forEach(Member::start);
        awaitBrokers(brokers.size(), timeout);
    }

    /** Waits until {@code count} brokers are live in the cluster's metadata. */
    public void awaitBrokers(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get().size() >= count) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("fewer than " + count + " brokers up after " + timeout);
                }
                Thread.sleep(250);
            }
        }
    }

    /** Waits until every partition of every topic has all its replicas in sync (a restarted broker caught up). */
    public boolean awaitInSync(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    Set<String> names = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions()
                            .listInternal(true)).names().get();
                    boolean inSync = true;
                    for (TopicDescription topic : admin.describeTopics(names).allTopicNames().get().values()) {
                        for (TopicPartitionInfo partition : topic.partitions()) {
                            if (partition.isr().size() < partition.replicas().size()) {
                                inSync = false;
                            }
                        }
                    }
                    if (inSync) {
                        return true;
                    }
                } catch (Exception e) {
                    // ask again
                }
                Thread.sleep(500);
            }
        }
        return false;
    }

    /** Starts every Ferry role and waits until each reports ready. */
    public void startRoles(Duration timeout) throws InterruptedException {
        // The first process creates the topics; the others find them.
        Member first = ingresses().get(0);
        first.start();
        awaitReady(List.of(first), timeout);
        for (Member role : roles) {
            if (role != first) {
                role.start();
            }
        }
        awaitReady(roles, timeout);
    }

    /** Waits until every given Ferry process answers 200 on {@code /health/ready}. */
    public void awaitReady(List<Member> nodes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Member node : nodes) {
            while (!ready(node)) {
                if (!node.alive()) {
                    throw new IllegalStateException(node + " exited; see " + node.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(node + " is not ready after " + timeout + "; see " + node.log());
                }
                Thread.sleep(250);
            }
        }
    }

    public boolean ready(Member node) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + HOST + ":" + node.adminPort() + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Registers the service at {@code uri} through the first ingress's admin API. */
    public void register(String uri, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (Member ingress : ingresses()) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://" + HOST + ":" + ingress.adminPort() + "/deployments"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"uri\":\"" + uri + "\"}"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 201 || response.statusCode() == 200) {
                        return;
                    }
                    last = response.statusCode() + " " + response.body();
                } catch (IOException e) {
                    last = e.toString();
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("registering " + uri + " failed: " + last);
    }

    /** The broker leading the most partitions of the command log, and how many it leads. */
    public Map.Entry<Member, Integer> commandLogLeader() throws Exception {
        try (Admin admin = admin()) {
            String topic = PREFIX + "log";
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<Integer, Integer> led = new HashMap<>();
            for (TopicPartitionInfo partition : description.partitions()) {
                Node leader = partition.leader();
                if (leader != null && !leader.isEmpty()) {
                    led.merge(leader.id(), 1, Integer::sum);
                }
            }
            int id = led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            return Map.entry(brokers.get(id - 1), led.get(id));
        }
    }

    /** Deletes the brokers' and processes' data, keeping their logs (a run's data is a few hundred MB). */
    public void deleteData() {
        for (Member member : all()) {
            Path data = member.log().getParent().resolve(member.kind() == Member.Kind.BROKER ? "kafka-logs" : "data");
            try (var paths = Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // leave it
            }
        }
    }

    /** SIGKILLs every process (a paused one too). */
    @Override
    public void close() {
        for (Member node : roles) {
            node.kill();
        }
        for (Member node : brokers) {
            node.kill();
        }
    }
}
