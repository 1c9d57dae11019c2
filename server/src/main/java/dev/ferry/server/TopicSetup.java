package dev.ferry.server;

import dev.ferry.schemas.CommandLog;
import dev.ferry.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Ferry's topics when they are missing, and refuses to start on a command log of another size. */
final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    private static final String MAX_BYTES = Integer.toString(CommandLog.MAX_RECORD_BYTES);

    private TopicSetup() {}

    static void ensure(Admin admin, Topics topics, int partitions, Short replicationFactor)
            throws ExecutionException, InterruptedException {
        List<NewTopic> wanted = List.of(
                topic(topics.log(), partitions, replicationFactor, Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_BYTES)),
                topic(topics.dispatch(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_BYTES)),
                topic(topics.replies(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_BYTES)),
                topic(topics.deployments(), 1, replicationFactor, Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                topic(topics.results(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_BYTES)),
                topic(topics.deadLetter(), partitions, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_BYTES)),
                // One partition: every processor reads every query (list, describe), from the end. A query is
                // answered within seconds or never, so an hour of them is plenty to keep.
                topic(topics.queries(), 1, replicationFactor, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()))));

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
        TopicDescription commandLog = admin.describeTopics(List.of(topics.log())).allTopicNames().get().get(topics.log());
        if (commandLog.partitions().size() != partitions) {
            throw new FerryConfig.InvalidConfig("topic " + topics.log() + " has " + commandLog.partitions().size()
                    + " partitions but FERRY_PARTITIONS is " + partitions + ". The partition count of the command log"
                    + " cannot change once it holds data (keys would move between partitions): set FERRY_PARTITIONS="
                    + commandLog.partitions().size() + ", or use a new FERRY_TOPIC_PREFIX.");
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
