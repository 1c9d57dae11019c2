package dev.ferry.processor;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the processor must know of a topic before it publishes a result there: whether it exists, and the largest
 * record it takes ({@code max.message.bytes}). A send to a topic that does not exist blocks the stream thread for
 * {@code max.block.ms}; a record the broker refuses as too large fails the send. Under exactly-once either failure
 * aborts the transaction, so the processor checks first. Answers are cached (a topic that exists for a minute, one
 * that does not for a few seconds), so the stream thread asks the cluster at most once in a while per topic, with a
 * short timeout.
 */
class TopicLimits implements AutoCloseable {
    /** The answer for a topic that does not exist (or could not be described). */
    static final int MISSING = -1;

    private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);
    private static final long EXISTS_FOR_MS = Duration.ofMinutes(1).toMillis();
    private static final long MISSING_FOR_MS = Duration.ofSeconds(5).toMillis();
    private static final long LOOKUP_TIMEOUT_MS = 2_000;

    private record Known(int maxRecordBytes, long until) {}

    private final Admin admin;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** Every topic exists and takes any record (tests without a broker). */
    static TopicLimits unlimited() {
        return new TopicLimits(null) {
            @Override
            int maxRecordBytes(String topic) {
                return Integer.MAX_VALUE;
            }
        };
    }

    TopicLimits(Map<String, String> kafka) {
        admin = kafka == null ? null : Admin.create(new HashMap<>(kafka));
    }

    /** The largest record {@code topic} takes, or {@link #MISSING}. */
    int maxRecordBytes(String topic) {
        long now = System.currentTimeMillis();
        Known cached = known.get(topic);
        if (cached != null && cached.until() > now) {
            return cached.maxRecordBytes();
        }
        int limit = lookUp(topic);
        known.put(topic, new Known(limit, now + (limit == MISSING ? MISSING_FOR_MS : EXISTS_FOR_MS)));
        return limit;
    }

    private int lookUp(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return entry == null || entry.value() == null ? Integer.MAX_VALUE : Integer.parseInt(entry.value());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                log.warn("Could not describe topic {}: {}", topic, e.getCause().toString());
            }
        } catch (TimeoutException e) {
            log.warn("Could not describe topic {} within {} ms", topic, LOOKUP_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
        return MISSING;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
