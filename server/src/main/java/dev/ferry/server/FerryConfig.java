package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.admin.AdminCrossSiteGuard;
import dev.ferry.registry.ServiceSetting;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.dispatch.RequestSignature;
import dev.ferry.schemas.results.ResultTopics;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The server's configuration, read once at start from environment variables and an optional YAML file (see
 * {@link Setting}). Kafka client properties pass through: {@code FERRY_KAFKA_SECURITY_PROTOCOL=SASL_SSL} becomes
 * {@code security.protocol} for every Kafka client, {@code FERRY_STREAMS_NUM_STREAM_THREADS=2} becomes
 * {@code num.stream.threads} for the processor's Kafka Streams; {@code FERRY_KAFKA_PROPERTIES_FILE} names a Kafka
 * client properties file under them. {@link FerryServer} adds the bootstrap servers and hands the result to every
 * client of every role.
 */
public record FerryConfig(
        Set<Role> roles,
        String ingressHost,
        int ingressPort,
        String adminHost,
        int adminPort,
        String adminToken,
        List<String> adminAllowedOrigins,
        Path dataDir,
        String kafkaBootstrapServers,
        int embeddedKafkaPort,
        Integer partitions,
        String topicPrefix,
        Short replicationFactor,
        long maxBodyBytes,
        Duration dispatchLease,
        Duration timerTick,
        int dispatcherMaxInFlight,
        Duration dispatcherConnectTimeout,
        String signingKey,
        Duration shutdownGrace,
        int maxWaitersPerInvocation,
        int maxInboxLength,
        long storeMemoryBytes,
        int compilerNiceness,
        Duration processorLinger,
        ServiceSettings serviceDefaults,
        Map<String, String> kafka,
        Map<String, String> streams,
        Map<String, Map<String, String>> clusters,
        ResultTopics resultTopics,
        String publicIngressUrl,
        LogFormat logFormat,
        String logLevel) {

    /** How log lines are written ({@code FERRY_LOG_FORMAT}): the name of its appender in {@code logback.xml}. */
    public enum LogFormat {
        TEXT,
        JSON
    }

    /** The levels {@code FERRY_LOG_LEVEL} takes, as logback names them. */
    static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    public enum Role {
        INGRESS,
        PROCESSOR,
        DISPATCHER
    }

    /** The processor's linger where its outputs are all read in this process (see {@link #processorLinger}). */
    static final Duration ALONE_PROCESSOR_LINGER = Duration.ofMillis(5);

    static final String KAFKA_PREFIX = "FERRY_KAFKA_";
    static final String STREAMS_PREFIX = "FERRY_STREAMS_";
    static final String CLUSTERS = "FERRY_CLUSTERS";
    static final String CLUSTER_PREFIX = "FERRY_CLUSTER_";
    /** The cluster Ferry itself runs on, as subscriptions name it. */
    public static final String DEFAULT_CLUSTER = "default";

    /** Thrown for a setting that cannot be used, naming the setting and what is wrong. */
    public static final class InvalidConfig extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidConfig(String message) {
            super(message);
        }
    }

    /**
     * Without the values of the Kafka properties (a {@code sasl.jaas.config} holds a password), the admin token and
     * the signing key, so that a configuration can be logged or shown in an error.
     */
    @Override
    public String toString() {
        return "FerryConfig[roles=" + roles + ", ingress=" + ingressHost + ":" + ingressPort + ", admin=" + adminHost
                + ":" + adminPort + ", adminToken=" + (adminToken == null ? "unset" : "(set)") + ", dataDir=" + dataDir
                + ", kafka=" + (embeddedKafka() ? "embedded on port " + embeddedKafkaPort : kafkaBootstrapServers)
                + ", partitions=" + partitions + ", topicPrefix=" + topicPrefix + ", maxBodyBytes=" + maxBodyBytes
                + ", signingKey=" + (signingKey == null ? "unset" : "(set)")
                + ", kafka properties=" + kafka.keySet().stream().sorted().toList()
                + ", streams properties=" + streams.keySet().stream().sorted().toList()
                + ", clusters=" + clusters.keySet().stream().sorted().toList() + "]";
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public boolean embeddedKafka() {
        return kafkaBootstrapServers == null;
    }

    /**
     * Partitions of new command topics when {@code FERRY_PARTITIONS} is unset. On a cluster, room for a dozen
     * processes to share the work. The embedded broker is one node, and its processor one stream thread: each
     * partition beyond a few is a task, six state stores and a share of every fetch and commit, which on a small
     * machine costs more than it brings (docs/performance.md, ninth session: with 4 partitions against 12 the
     * sequential p99 fell by a quarter; with 2 against 4, calls at 32 connections took a fifth less CPU). Two leave
     * room for a second stream thread.
     */
    public int defaultPartitions() {
        return embeddedKafka() ? 2 : 12;
    }

    /** This configuration with the partition count in use (the command topics', once they exist). */
    public FerryConfig withPartitions(int inUse) {
        return new FerryConfig(roles, ingressHost, ingressPort, adminHost, adminPort, adminToken,
                adminAllowedOrigins, dataDir, kafkaBootstrapServers, embeddedKafkaPort, inUse, topicPrefix,
                replicationFactor, maxBodyBytes, dispatchLease, timerTick, dispatcherMaxInFlight,
                dispatcherConnectTimeout, signingKey, shutdownGrace, maxWaitersPerInvocation, maxInboxLength,
                storeMemoryBytes, compilerNiceness, processorLinger, serviceDefaults, kafka, streams, clusters,
                resultTopics, publicIngressUrl, logFormat, logLevel);
    }

    /** The record sizes that follow from the largest body ({@code FERRY_MAX_BODY_SIZE}). */
    public RecordLimits recordLimits() {
        return RecordLimits.ofMaxBodyBytes(maxBodyBytes);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** Reads the configuration from {@code env} (and the YAML file it may name). */
    public static FerryConfig load(Map<String, String> env) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> streams = new LinkedHashMap<>();
        Map<String, Map<String, String>> clusters = new LinkedHashMap<>();
        String file = env.get(Setting.CONFIG_FILE.env());
        if (file != null && !file.isBlank()) {
            readYaml(Path.of(file), values, kafka, streams, clusters);
        }
        for (Setting setting : Setting.values()) {
            String value = env.get(setting.env());
            if (value != null) {
                values.put(setting, value);
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith(KAFKA_PREFIX) && !isSetting(name)) {
                kafka.put(propertyName(name.substring(KAFKA_PREFIX.length())), value);
            } else if (name.startsWith(STREAMS_PREFIX)) {
                streams.put(propertyName(name.substring(STREAMS_PREFIX.length())), value);
            }
        });
        // Further Kafka clusters subscriptions can read from: FERRY_CLUSTERS=analytics names one, and
        // FERRY_CLUSTER_ANALYTICS_BOOTSTRAP_SERVERS=... (any client property) configures it.
        for (String cluster : env.getOrDefault(CLUSTERS, "").split(",")) {
            String name = cluster.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals(DEFAULT_CLUSTER)) {
                throw new InvalidConfig(CLUSTERS + ": 'default' is the cluster Ferry runs on; name the others");
            }
            String prefix = CLUSTER_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
            Map<String, String> properties = clusters.computeIfAbsent(name, n -> new LinkedHashMap<>());
            env.forEach((var, value) -> {
                if (var.startsWith(prefix)) {
                    properties.put(propertyName(var.substring(prefix.length())), value);
                }
            });
        }
        clusters.forEach((name, properties) -> {
            if (!properties.containsKey("bootstrap.servers")) {
                throw new InvalidConfig("cluster '" + name + "' has no bootstrap servers: set "
                        + CLUSTER_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_') + "_BOOTSTRAP_SERVERS");
            }
        });
        // The properties file first, so the YAML file's kafka: and the FERRY_KAFKA_* variables win over it.
        Map<String, String> clientProperties = readKafkaProperties(values.get(Setting.KAFKA_PROPERTIES_FILE));
        clientProperties.putAll(kafka);
        return from(new Values(values), clientProperties, streams, clusters);
    }

    private static boolean isSetting(String env) {
        return Arrays.stream(Setting.values()).anyMatch(setting -> setting.env().equals(env));
    }

    /** The client properties of {@code FERRY_KAFKA_PROPERTIES_FILE}, in the format Kafka's own tools read. */
    private static Map<String, String> readKafkaProperties(String file) {
        Map<String, String> properties = new LinkedHashMap<>();
        if (file == null || file.isBlank()) {
            return properties;
        }
        Properties read = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            read.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfig(Setting.KAFKA_PROPERTIES_FILE.env() + ": cannot read the Kafka client properties"
                    + " file " + file + ": " + e.getMessage());
        }
        read.stringPropertyNames().stream().sorted()
                .forEach(name -> properties.put(name, read.getProperty(name).trim()));
        return properties;
    }

    private static FerryConfig from(Values v, Map<String, String> kafka, Map<String, String> streams,
            Map<String, Map<String, String>> clusters) {
        String bootstrap = v.string(Setting.KAFKA_BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            bootstrap = kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        }
        RetryPolicy retry = new RetryPolicy(
                v.duration(Setting.RETRY_INITIAL_INTERVAL),
                v.decimal(Setting.RETRY_EXPONENTIATION_FACTOR),
                v.duration(Setting.RETRY_MAX_INTERVAL),
                v.integer(Setting.RETRY_MAX_ATTEMPTS),
                v.onMaxAttempts(Setting.RETRY_ON_MAX_ATTEMPTS));
        ServiceSettings defaults = ServiceSettings.DEFAULTS
                .with(ServiceSetting.IDEMPOTENCY_RETENTION, v.duration(Setting.IDEMPOTENCY_RETENTION))
                .with(ServiceSetting.JOURNAL_RETENTION, v.duration(Setting.JOURNAL_RETENTION))
                .with(ServiceSetting.WORKFLOW_COMPLETION_RETENTION, v.duration(Setting.WORKFLOW_COMPLETION_RETENTION))
                .with(ServiceSetting.INACTIVITY_TIMEOUT, v.duration(Setting.INACTIVITY_TIMEOUT))
                .with(ServiceSetting.RETRY_POLICY, retry)
                .with(ServiceSetting.PUBLISH_RESULTS, v.bool(Setting.PUBLISH_RESULTS))
                .with(ServiceSetting.DEAD_LETTER_FAILURES, v.bool(Setting.DEAD_LETTER_FAILURES))
                .with(ServiceSetting.VALIDATE_INPUT, v.bool(Setting.VALIDATE_INPUT));
        String replication = v.string(Setting.REPLICATION_FACTOR);
        String partitions = v.string(Setting.PARTITIONS);
        return new FerryConfig(
                v.roles(),
                v.string(Setting.INGRESS_HOST),
                v.port(Setting.INGRESS_PORT),
                v.string(Setting.ADMIN_HOST),
                v.port(Setting.ADMIN_PORT),
                blankToNull(v.string(Setting.ADMIN_TOKEN)),
                v.origins(Setting.ADMIN_ALLOWED_ORIGINS),
                Path.of(v.string(Setting.DATA_DIR)),
                bootstrap == null || bootstrap.isBlank() ? null : bootstrap,
                v.port(Setting.EMBEDDED_KAFKA_PORT),
                partitions == null || partitions.isBlank() ? null : v.positive(Setting.PARTITIONS),
                v.string(Setting.TOPIC_PREFIX),
                replication == null || replication.isBlank() ? null : (short) v.positive(Setting.REPLICATION_FACTOR),
                v.maxBodySize(Setting.MAX_BODY_SIZE),
                v.duration(Setting.DISPATCH_LEASE),
                v.duration(Setting.TIMER_TICK),
                v.positive(Setting.DISPATCHER_MAX_IN_FLIGHT),
                v.duration(Setting.DISPATCHER_CONNECT_TIMEOUT),
                v.signingKey(Setting.SIGNING_KEY),
                v.duration(Setting.SHUTDOWN_GRACE),
                v.positive(Setting.MAX_WAITERS_PER_INVOCATION),
                v.positive(Setting.MAX_INBOX_LENGTH),
                v.bytes(Setting.STORE_MEMORY),
                v.niceness(Setting.COMPILER_NICENESS),
                processorLinger(v, bootstrap == null || bootstrap.isBlank()),
                defaults,
                Map.copyOf(kafka),
                Map.copyOf(streams),
                Map.copyOf(clusters),
                resultTopics(v.string(Setting.RESULT_TOPICS), new Topics(v.string(Setting.TOPIC_PREFIX))),
                v.publicUrl(Setting.PUBLIC_INGRESS_URL),
                v.logFormat(Setting.LOG_FORMAT),
                v.logLevel(Setting.LOG_LEVEL));
    }

    /**
     * {@code FERRY_PROCESSOR_LINGER}, or when unset 5 ms for a process that runs every role on its embedded broker
     * and 0 otherwise. Such a process hands each dispatch and reply to its own dispatcher and ingress as the
     * processor sends it (ARCHITECTURE.md, "Latency, throughput and memory"); the broker's copy then keeps no call
     * waiting, and gathering a few milliseconds of them into one produce request spared a quarter of the CPU a call
     * at 32 connections (docs/performance.md, twenty-third session). Where other processes read these records, the
     * copy is a call's next hop and leaves at once. 5 ms is the Kafka producer's own default since Kafka 4.0.
     */
    private static Duration processorLinger(Values v, boolean embeddedKafka) {
        String linger = v.string(Setting.PROCESSOR_LINGER);
        if (linger != null && !linger.isBlank()) {
            Duration set = v.duration(Setting.PROCESSOR_LINGER);
            // Kafka's linger.ms is an int of milliseconds: larger, it would refuse it only as the processor starts.
            if (set.toMillis() > Integer.MAX_VALUE) {
                throw v.invalid(Setting.PROCESSOR_LINGER, "a duration under 24 days, such as 0 or 5ms");
            }
            return set;
        }
        return embeddedKafka && v.roles().equals(EnumSet.allOf(Role.class)) ? ALONE_PROCESSOR_LINGER : Duration.ZERO;
    }

    private static ResultTopics resultTopics(String setting, Topics topics) {
        try {
            return ResultTopics.parse(setting, topics);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfig(Setting.RESULT_TOPICS.env() + ": " + e.getMessage());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code SECURITY_PROTOCOL} → {@code security.protocol} */
    static String propertyName(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static void readYaml(Path file, Map<Setting, String> values, Map<String, String> kafka,
            Map<String, String> streams, Map<String, Map<String, String>> clusters) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InvalidConfig("cannot read the configuration file " + file + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw new InvalidConfig("the configuration file " + file + " must be a map of settings");
        }
        root.properties().forEach(entry -> {
            String key = entry.getKey();
            if (key.equals("kafka") || key.equals("streams")) {
                Map<String, String> target = key.equals("kafka") ? kafka : streams;
                entry.getValue().properties().forEach(p -> target.put(p.getKey(), p.getValue().asText()));
                return;
            }
            if (key.equals("clusters")) {
                entry.getValue().properties().forEach(cluster -> {
                    Map<String, String> properties = clusters.computeIfAbsent(
                            cluster.getKey().toLowerCase(Locale.ROOT), n -> new LinkedHashMap<>());
                    cluster.getValue().properties().forEach(p -> properties.put(p.getKey(), p.getValue().asText()));
                });
                return;
            }
            Setting setting = null;
            for (Setting candidate : Setting.values()) {
                if (candidate.yamlKey().equals(key)) {
                    setting = candidate;
                }
            }
            if (setting == null) {
                throw new InvalidConfig("unknown setting '" + key + "' in " + file);
            }
            values.put(setting, entry.getValue().asText());
        });
    }

    /** Setting values with their defaults, parsed with messages that name the variable. */
    private record Values(Map<Setting, String> values) {
        String string(Setting setting) {
            return values.getOrDefault(setting, setting.defaultValue());
        }

        int port(Setting setting) {
            int port = integer(setting);
            if (port < 0 || port > 65535) {
                throw invalid(setting, "a port from 0 to 65535");
            }
            return port;
        }

        int positive(Setting setting) {
            int value = integer(setting);
            if (value <= 0) {
                throw invalid(setting, "a positive number");
            }
            return value;
        }

        int integer(Setting setting) {
            try {
                return Integer.parseInt(string(setting).trim());
            } catch (NumberFormatException e) {
                throw invalid(setting, "a whole number");
            }
        }

        /** How many nice levels below the rest a thread runs: 0 (the same) to 19 (Linux's lowest priority). */
        int niceness(Setting setting) {
            int value = integer(setting);
            if (value < 0 || value > 19) {
                throw invalid(setting, "a whole number from 0 to 19");
            }
            return value;
        }

        /** At most what Kafka's int-sized limits can carry once a body is in a record (see RecordLimits). */
        int maxBodySize(Setting setting) {
            int value = positive(setting);
            if (value > RecordLimits.LARGEST_MAX_BODY_BYTES) {
                throw invalid(setting, "a number of bytes from 1 to " + RecordLimits.LARGEST_MAX_BODY_BYTES);
            }
            return value;
        }

        /** A positive number of bytes. */
        long bytes(Setting setting) {
            try {
                long value = Long.parseLong(string(setting).trim());
                if (value > 0) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw invalid(setting, "a positive number of bytes");
        }

        boolean bool(Setting setting) {
            String text = string(setting).trim().toLowerCase(Locale.ROOT);
            if (!text.equals("true") && !text.equals("false")) {
                throw invalid(setting, "true or false");
            }
            return Boolean.parseBoolean(text);
        }

        double decimal(Setting setting) {
            try {
                return Double.parseDouble(string(setting).trim());
            } catch (NumberFormatException e) {
                throw invalid(setting, "a number");
            }
        }

        Duration duration(Setting setting) {
            try {
                return Durations.parse(string(setting));
            } catch (IllegalArgumentException e) {
                throw invalid(setting, "a duration such as 500ms, 10s, 1m, 1d or PT10S (" + e.getMessage() + ")");
            }
        }

        List<String> origins(Setting setting) {
            List<String> origins = Arrays.stream(string(setting).split(",")).map(String::trim)
                    .filter(origin -> !origin.isEmpty()).toList();
            try {
                new AdminCrossSiteGuard(origins);
            } catch (IllegalArgumentException e) {
                throw invalid(setting, "a comma list of origins such as https://ops.example.com, or * ("
                        + e.getMessage() + ")");
            }
            return origins;
        }

        /**
         * A key for {@code RequestSignature}, or null when unset or blank. A short one is refused without
         * repeating it: the message would otherwise put a secret in the logs.
         */
        String signingKey(Setting setting) {
            String key = blankToNull(string(setting));
            String problem = key == null ? null : RequestSignature.keyProblem(key);
            if (problem != null) {
                throw new InvalidConfig(setting.env() + " " + problem + " (unset it to sign no requests)");
            }
            return key;
        }

        /** An absolute http(s) URL without query or fragment, without its trailing slash; null when unset. */
        String publicUrl(Setting setting) {
            String text = string(setting).trim();
            if (text.isEmpty()) {
                return null;
            }
            try {
                URI uri = new URI(text);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                        && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null) {
                    return text.replaceAll("/+$", "");
                }
            } catch (URISyntaxException e) {
                // below
            }
            throw invalid(setting, "an absolute http or https URL such as https://api.example.com/ferry");
        }

        RetryPolicy.OnMaxAttempts onMaxAttempts(Setting setting) {
            try {
                return RetryPolicy.OnMaxAttempts.valueOf(string(setting).trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid(setting, "pause or kill");
            }
        }

        LogFormat logFormat(Setting setting) {
            try {
                return LogFormat.valueOf(string(setting).trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid(setting, "text or json");
            }
        }

        String logLevel(Setting setting) {
            String level = string(setting).trim().toUpperCase(Locale.ROOT);
            if (!LOG_LEVELS.contains(level)) {
                throw invalid(setting, String.join(", ", LOG_LEVELS));
            }
            return level;
        }

        Set<Role> roles() {
            String text = string(Setting.ROLES).trim().toLowerCase(Locale.ROOT);
            if (text.equals("all")) {
                return EnumSet.allOf(Role.class);
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (String name : text.split(",")) {
                try {
                    roles.add(Role.valueOf(name.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw invalid(Setting.ROLES, "all, or a comma list of ingress, processor, dispatcher");
                }
            }
            return roles;
        }

        private InvalidConfig invalid(Setting setting, String expected) {
            return new InvalidConfig(setting.env() + "='" + string(setting) + "' is not valid: expected " + expected);
        }
    }
}
