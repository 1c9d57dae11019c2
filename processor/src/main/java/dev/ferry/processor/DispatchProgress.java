package dev.ferry.processor;

import dev.ferry.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the dispatchers have taken an attempt yet: where this process's processor wrote its recent dispatch records,
 * and how far the dispatchers' group has committed each partition of the dispatch topic (read every
 * {@link #REFRESH}). A dispatcher commits a record's offset when it takes the attempt; at its limit of open calls it
 * leaves the rest in the topic. An attempt whose record is at or past the group's committed offset therefore waits
 * there, held by no dispatcher: nothing can have stopped renewing its lease, and the partition's owner, or its next
 * owner, will take it. Counting its lease from the dispatch instead made every attempt behind a /send backlog lapse,
 * be aborted and dispatched again behind the same backlog (issue 13).
 *
 * <p>An attempt taken late gets a whole lease from when this process saw it taken, so that the renewal its dispatcher
 * sends on taking it is read before the lease is judged. What it does not know (a record written by another process,
 * or before this one started; committed offsets that could not be read lately) leaves the lease to count from the
 * dispatch, as it always did.
 */
final class DispatchProgress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DispatchProgress.class);
    /** How often the dispatchers' committed offsets are read. */
    static final Duration REFRESH = Duration.ofMillis(500);
    /** Committed offsets read longer ago than this are not trusted: nothing is known of any attempt. */
    static final Duration STALE = Duration.ofSeconds(10);
    /** Records tracked at most (about 150 bytes each); an attempt whose record is not tracked is not known. */
    static final int MAX_TRACKED = 200_000;

    private final String dispatchTopic;
    private final String dispatcherGroup;
    private final Admin admin;
    /** A taken record is kept this long after it was seen taken: its lease is judged within a lease of that. */
    private final long keepTakenMillis;
    /** Dispatch records written lately, by record key ({@code <invocation id>/<attempt>}). */
    private final Map<String, Position> written = new ConcurrentHashMap<>();
    /** The dispatchers' committed offset of each dispatch partition: the next record they take there. */
    private volatile Map<Integer, Long> committed = Map.of();
    /** When {@link #committed} was read: wall clock and {@link System#nanoTime()} (0 before the first time). */
    private volatile long committedAtMillis;
    private volatile long committedAtNanos;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ferry-dispatch-progress").daemon().unstarted(r));

    /** @param takenAt when this process first saw a dispatcher's committed offset past it; 0 while none has */
    private record Position(int partition, long offset, long takenAt) {}

    DispatchProgress(Topics topics, Admin admin, Duration lease) {
        this.dispatchTopic = topics.dispatch();
        this.dispatcherGroup = topics.dispatcherGroup();
        this.admin = admin;
        this.keepTakenMillis = lease.toMillis() + 4 * REFRESH.toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The broker acknowledged a record the processor wrote (see {@link TappedProducer}). */
    void written(String topic, byte[] key, int partition, long offset) {
        if (key == null || !topic.equals(dispatchTopic) || written.size() >= MAX_TRACKED) {
            return;
        }
        // An abort carries its attempt's key and comes later: it moves the position on, which is harmless, since an
        // aborted attempt has no lease left to judge.
        written.put(new String(key, StandardCharsets.UTF_8), new Position(partition, offset, 0));
    }

    /**
     * When a dispatcher took the record with this key, as this process saw it (a little later than it happened, which
     * only lengthens the lease's grace): {@link CommandLogAccess#DISPATCH_WAITING} while none has, and
     * {@link CommandLogAccess#DISPATCH_TAKEN_UNKNOWN} when the record is not tracked or the offsets are stale.
     */
    long takenAt(String dispatchKey) {
        Position position = written.get(dispatchKey);
        if (position == null || committedAtNanos == 0 || System.nanoTime() - committedAtNanos > STALE.toNanos()) {
            return CommandLogAccess.DISPATCH_TAKEN_UNKNOWN;
        }
        if (position.takenAt() != 0) {
            return position.takenAt();
        }
        Long next = committed.get(position.partition());
        return next == null || next <= position.offset() ? CommandLogAccess.DISPATCH_WAITING : committedAtMillis;
    }

    private void refresh() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(dispatcherGroup)
                    .partitionsToOffsetAndMetadata().get(STALE.toMillis() / 2, TimeUnit.MILLISECONDS);
            long now = System.currentTimeMillis();
            Map<Integer, Long> next = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null && partition.topic().equals(dispatchTopic)) {
                    next.put(partition.partition(), offset.offset());
                }
            });
            committed = next;
            committedAtMillis = now;
            committedAtNanos = System.nanoTime();
            for (var entries = written.entrySet().iterator(); entries.hasNext(); ) {
                var entry = entries.next();
                Position position = entry.getValue();
                if (position.takenAt() != 0) {
                    if (now - position.takenAt() > keepTakenMillis) {
                        entries.remove();
                    }
                    continue;
                }
                Long taken = next.get(position.partition());
                if (taken != null && taken > position.offset()) {
                    entry.setValue(new Position(position.partition(), position.offset(), now));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("Could not read the dispatchers' committed offsets: {}", e.toString());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
