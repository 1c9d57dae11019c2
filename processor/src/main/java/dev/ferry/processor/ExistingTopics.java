package dev.ferry.processor;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a topic exists on Ferry's cluster, for results published on a topic of their own: producing to a topic
 * that does not exist blocks the stream thread for {@code max.block.ms} and then fails its transaction. Answers are
 * cached (a topic that exists for a minute, one that does not for a few seconds), so the stream thread asks the
 * cluster at most once in a while per topic, with a short timeout.
 */
final class ExistingTopics implements Predicate<String>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExistingTopics.class);
    private static final long EXISTS_FOR_MS = Duration.ofMinutes(1).toMillis();
    private static final long MISSING_FOR_MS = Duration.ofSeconds(5).toMillis();
    private static final long LOOKUP_TIMEOUT_MS = 2_000;

    private record Known(boolean exists, long until) {}

    private final Admin admin;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    ExistingTopics(Map<String, String> kafka) {
        admin = Admin.create(new HashMap<>(kafka));
    }

    @Override
    public boolean test(String topic) {
        long now = System.currentTimeMillis();
        Known cached = known.get(topic);
        if (cached != null && cached.until() > now) {
            return cached.exists();
        }
        boolean exists;
        try {
            exists = admin.describeTopics(List.of(topic)).allTopicNames().get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .containsKey(topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                log.warn("Could not tell whether topic {} exists: {}", topic, e.getCause().toString());
            }
            exists = false;
        } catch (TimeoutException e) {
            log.warn("Could not tell whether topic {} exists within {} ms", topic, LOOKUP_TIMEOUT_MS);
            exists = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exists = false;
        }
        known.put(topic, new Known(exists, now + (exists ? EXISTS_FOR_MS : MISSING_FOR_MS)));
        return exists;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
