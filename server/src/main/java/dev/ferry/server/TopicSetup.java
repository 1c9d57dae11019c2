package dev.ferry.server;

import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Ferry's topics when they are missing, and refuses to start on a command log of another size. */
final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    private static final String LOG_APPEND_TIME = "LogAppendTime";
    private static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";

    private TopicSetup() {}

    /**
     * Creates Ferry's topics that are missing and checks the rest.
     *
     * @param setting           {@code FERRY_PARTITIONS}, or null when unset
     * @param defaultPartitions the count for new command topics when it is unset
     * @return the partition count of the command topics
     */
    static int ensure(Admin admin, Topics topics, Integer setting, int defaultPartitions, Short replicationFactor,
            RecordLimits limits) throws ExecutionException, InterruptedException {
        // Unset, the count is the existing log's: a data directory or cluster set up under another default keeps
        // working, and a process joining others needs no setting of its own.
        Integer existingLog = partitionsOf(admin, topics.log());
        int partitions = existingLog != null && setting == null ? existingLog
                : setting != null ? setting : defaultPartitions;
        String maxBytes = limits.topicMaxMessageBytes();
        List<NewTopic> wanted = List.of(
                // A command's time is the broker's append time (the processor's clock, so a redo decides the same).
                topic(topics.log(), partitions, replicationFactor, Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes,
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME)),
                // The ingresses' commands: read with the log, co-partitioned with it.
                topic(topics.requests(), partitions, replicationFactor, Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes,
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME)),
                topic(topics.dispatch(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)),
                topic(topics.replies(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)),
                topic(topics.deployments(), 1, replicationFactor, Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)),
                topic(topics.results(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)),
                topic(topics.deadLetter(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, limits.deadLetterTopicMaxMessageBytes())),
                // One partition: every processor reads every query (list, describe), from the end. A query is
                // answered within seconds or never, so an hour of them is plenty to keep.
                topic(topics.queries(), 1, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)));

        Set<String> existing = admin.listTopics().names().get();
        List<NewTopic> missing = new ArrayList<>();
        for (NewTopic topic : wanted) {
            if (!existing.contains(topic.name())) {
                missing.add(topic);
            }
        }
        if (!missing.isEmpty()) {
            try {
                admin.createTopics(missing).all().get();
                log.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e; // another Ferry process creating them at the same moment is fine
                }
            }
        }
        Map<String, TopicDescription> commandTopics = admin.describeTopics(List.of(topics.log(), topics.requests()))
                .allTopicNames().get();
        for (String name : List.of(topics.log(), topics.requests())) {
            int actual = commandTopics.get(name).partitions().size();
            if (actual != partitions) {
                throw new FerryConfig.InvalidConfig("topic " + name + " has " + actual + " partitions but"
                        + (setting != null ? " FERRY_PARTITIONS is " + partitions
                                : " topic " + topics.log() + " has " + partitions)
                        + ". The partition count of the command topics cannot"
                        + " change once they hold data (keys would move between partitions): set FERRY_PARTITIONS="
                        + actual + ", or use a new FERRY_TOPIC_PREFIX.");
            }
        }
        Map<String, String> maxMessageBytes = new HashMap<>();
        for (NewTopic topic : wanted) {
            maxMessageBytes.put(topic.name(), topic.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        }
        // Kafka Streams creates the processor's changelogs with the limit (ProcessorApp), but leaves existing ones
        // as they are.
        String changelogPrefix = topics.processorApplicationId() + "-";
        for (String name : existing) {
            if (name.startsWith(changelogPrefix) && name.endsWith("-changelog")) {
                maxMessageBytes.put(name, maxBytes);
            }
        }
        raiseMaxMessageBytes(admin, maxMessageBytes);
        useLogAppendTime(admin, List.of(topics.log(), topics.requests()));
        checkBrokersTakeTheLargestRequest(admin, limits);
        return partitions;
    }

    /** The partitions of {@code topic}, or null when it does not exist. */
    private static Integer partitionsOf(Admin admin, String topic) throws ExecutionException, InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Topics carry their own record limit, but a broker closes the connection of any request larger than its
     * {@code socket.request.max.bytes}, and the producer sees only a lost connection. Say at start which bodies that
     * would hit. Reading brokers' settings needs {@code DescribeConfigs} on the cluster, which Ferry needs for
     * nothing else: without it, say what to check instead.
     */
    private static void checkBrokersTakeTheLargestRequest(Admin admin, RecordLimits limits)
            throws InterruptedException {
        int needed = limits.produceRequestBytes();
        Map<ConfigResource, Config> brokers;
        try {
            List<ConfigResource> nodes = admin.describeCluster().nodes().get().stream()
                    .map(node -> new ConfigResource(ConfigResource.Type.BROKER, node.idString())).toList();
            brokers = admin.describeConfigs(nodes).all().get();
        } catch (ExecutionException e) {
            log.info("Could not read the brokers' {} ({}): with FERRY_MAX_BODY_SIZE={} it must be at least {}",
                    SOCKET_REQUEST_MAX_BYTES, e.getCause().getMessage(), limits.maxBodyBytes(), needed);
            return;
        }
        brokers.forEach((broker, config) -> {
            ConfigEntry entry = config.get(SOCKET_REQUEST_MAX_BYTES);
            if (entry != null && entry.value() != null && Long.parseLong(entry.value()) < needed) {
                long largestBody = RecordLimits.largestBodyFor(Long.parseLong(entry.value()));
                log.warn("Kafka broker {} takes requests up to {} bytes ({}), but a body of FERRY_MAX_BODY_SIZE={}"
                        + " makes produce requests up to {}: bodies over {} bytes may fail. Raise {} to {} on the"
                        + " brokers, or lower FERRY_MAX_BODY_SIZE to {}.", broker.name(), entry.value(),
                        SOCKET_REQUEST_MAX_BYTES, limits.maxBodyBytes(), needed, largestBody, SOCKET_REQUEST_MAX_BYTES,
                        needed, largestBody);
            }
        });
    }

    /**
     * The processor takes a command's time from its record, so the record's time must be the broker's: a producer's
     * clock (or a forged timestamp) would move retention, delays and leases, and a successor reading the log again
     * must see the same times. Command topics made by an earlier Ferry, or by hand, are switched over.
     */
    private static void useLogAppendTime(Admin admin, List<String> names)
            throws ExecutionException, InterruptedException {
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        admin.describeConfigs(resources).all().get().forEach((resource, config) -> {
            ConfigEntry entry = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            if (entry == null || !LOG_APPEND_TIME.equals(entry.value())) {
                changes.put(resource, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME),
                        AlterConfigOp.OpType.SET)));
            }
        });
        if (changes.isEmpty()) {
            return;
        }
        try {
            admin.incrementalAlterConfigs(changes).all().get();
            log.info("Set message.timestamp.type=LogAppendTime on {}",
                    changes.keySet().stream().map(ConfigResource::name).sorted().toList());
        } catch (ExecutionException e) {
            throw new FerryConfig.InvalidConfig("the command topics " + changes.keySet().stream()
                    .map(ConfigResource::name).sorted().toList() + " must take the broker's time for their records,"
                    + " and setting it failed (" + e.getCause().getMessage() + "). Set "
                    + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + LOG_APPEND_TIME + " on them.");
        }
    }

    /**
     * Topics made by an earlier Ferry with a smaller FERRY_MAX_BODY_SIZE, or by hand, may refuse records that a body
     * within today's limit makes: raise their max.message.bytes, or refuse to start, saying what to do.
     */
    private static void raiseMaxMessageBytes(Admin admin, Map<String, String> wanted)
            throws ExecutionException, InterruptedException {
        List<ConfigResource> resources = wanted.keySet().stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        Map<ConfigResource, Collection<AlterConfigOp>> raises = new HashMap<>();
        configs.forEach((resource, config) -> {
            ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            long want = Long.parseLong(wanted.get(resource.name()));
            if (entry == null || entry.value() == null || Long.parseLong(entry.value()) < want) {
                raises.put(resource, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(want)),
                        AlterConfigOp.OpType.SET)));
            }
        });
        if (raises.isEmpty()) {
            return;
        }
        try {
            admin.incrementalAlterConfigs(raises).all().get();
            log.info("Raised max.message.bytes of {} for FERRY_MAX_BODY_SIZE",
                    raises.keySet().stream().map(ConfigResource::name).sorted().toList());
        } catch (ExecutionException e) {
            throw new FerryConfig.InvalidConfig("topics " + raises.keySet().stream().map(ConfigResource::name)
                    .sorted().toList() + " take smaller records than FERRY_MAX_BODY_SIZE needs, and raising their "
                    + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + " failed (" + e.getCause().getMessage() + "). Set it to "
                    + wanted.values().stream().mapToLong(Long::parseLong).max().orElseThrow()
                    + " on them, or lower FERRY_MAX_BODY_SIZE.");
        }
    }

    /**
     * Waits until the brokers serve every partition of the new topics. A producer with several requests in flight
     * that writes to a partition its leader has not applied yet can see a later request appended before an earlier
     * refused one, which then fails for good (KAFKA-15591, fixed after Kafka 4.3).
     */
    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                boolean served = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(topic -> topic.partitions().stream().allMatch(p -> p.leader() != null
                                && !p.leader().isEmpty()));
                if (served) {
                    return;
                }
            } catch (ExecutionException e) {
                // not known to the broker yet
            }
            Thread.sleep(50);
        }
        log.warn("Topics {} still have partitions without a leader; going on", names);
    }

    private static NewTopic topic(String name, int partitions, Short replicationFactor, Map<String, String> configs) {
        return new NewTopic(name, Optional.of(partitions), Optional.ofNullable(replicationFactor)).configs(configs);
    }
}
