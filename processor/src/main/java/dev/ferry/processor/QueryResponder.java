package dev.ferry.processor;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.journal.StateEntry;
import dev.ferry.schemas.queries.DescribeInvocation;
import dev.ferry.schemas.queries.DescribeState;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.queries.ListInvocations;
import dev.ferry.schemas.replies.InvocationView;
import dev.ferry.schemas.replies.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin API's reads of invocation state (list, describe) and of object state from this process's stores, through Kafka
 * Streams' interactive queries: on a thread of its own, never the stream thread, and without writing to the command
 * log. Every processor reads every query (it assigns itself the one partition of the queries topic, from its end;
 * no consumer group) and answers for the partitions it hosts as active, one reply per partition, so the asker
 * knows which partitions it has heard from.
 */
public final class QueryResponder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryResponder.class);
    /** A query older than this has no asker left waiting (the admin waits seconds): skip it, to catch up. */
    private static final Duration STALE = Duration.ofSeconds(30);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(50);
    /** Queries waiting for a partition at most; past this the oldest is dropped. */
    private static final int MAX_PENDING = 1_000;
    /** Room left in a reply record for what is not the answer's JSON (key, headers, batch framing). */
    private static final int REPLY_OVERHEAD_BYTES = 64 * 1024;

    private final Topics topics;
    private final int partitions;
    /** The largest answer the replies topic takes, less room for the record's own overhead. */
    private final int maxReplyBytes;
    private final KafkaStreams streams;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private volatile boolean closed;
    /** Queries read and not yet answered in full, oldest first (the responder thread's alone). */
    private final Deque<Pending> pending = new ArrayDeque<>();
    /**
     * When each partition's task was first seen active here (the responder thread's alone). A task that has just
     * been assigned may still be reading commands its store does not show yet; see {@link #mayAnswerNotFound}.
     */
    private final Map<Integer, Long> activeSince = new HashMap<>();

    /** A query read and not yet answered in full. */
    private static final class Pending {
        final InvocationQuery query;
        /** Gives up waiting for partitions then. */
        final long until;
        /** A list: the partitions this process has answered for. */
        final Set<Integer> answered = new HashSet<>();
        /**
         * A describe (of an invocation or of a key's state) that found nothing: the ends of the invocation's partitions of both command topics when it
         * first looked (the ingress writes to the requests topic, producers and dispatchers to the log); null before.
         */
        Map<TopicPartition, Long> commandEnds;

        Pending(InvocationQuery query, long until) {
            this.query = query;
            this.until = until;
        }
    }

    QueryResponder(Topics topics, int partitions, Map<String, String> kafka, RecordLimits limits, KafkaStreams streams) {
        this.topics = topics;
        this.partitions = partitions;
        this.maxReplyBytes = limits.recordBytes() - REPLY_OVERHEAD_BYTES;
        this.streams = streams;
        Properties consumerProps = new Properties();
        consumerProps.putAll(kafka);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        TopicPartition queries = new TopicPartition(topics.queries(), 0);
        consumer.assign(List.of(queries));
        consumer.seekToEnd(List.of(queries));
        // Resolve the end now, before the process reports itself started, so no later query is missed.
        consumer.position(queries);
        Properties producerProps = new Properties();
        producerProps.putAll(kafka);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // someone waits for each answer
        producerProps.putAll(limits.producerProperties());
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        thread = Thread.ofPlatform().name("ferry-processor-queries").daemon().unstarted(this::answerQueries);
    }

    void start() {
        thread.start();
    }

    private void answerQueries() {
        try {
            while (!closed) {
                Iterable<ConsumerRecord<String, byte[]>> records;
                try {
                    records = consumer.poll(pending.isEmpty() ? IDLE_POLL : RETRY_INTERVAL);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    log.error("Reading queries failed; retrying in a second", e);
                    Thread.sleep(1_000);
                    continue;
                }
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.timestamp() < now - STALE.toMillis()) {
                        continue;
                    }
                    // Anyone who can write the topic can write anything: a record that is not a query is skipped,
                    // alone, and this thread (every later answer) goes on.
                    try {
                        if (record.value() == null) {
                            throw new IOException("a record without a value");
                        }
                        InvocationQuery query = Json.read(record.value(), InvocationQuery.class);
                        String missing = missing(query);
                        if (missing != null) {
                            throw new IOException("a query without " + missing);
                        }
                        pending.addLast(new Pending(query, now + InvocationQuery.ANSWER_WITHIN.toMillis()));
                    } catch (IOException | RuntimeException e) {
                        log.warn("Skipping an unreadable query at offset {}: {}", record.offset(), e.getMessage());
                    }
                    if (pending.size() > MAX_PENDING) {
                        pending.removeFirst(); // its asker has most likely given up already
                    }
                }
                answerPending(now);
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("The processor stopped answering queries", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * What a query lacks to be answered (where to send the answer, or what it asks about), or null: Ferry's own askers
     * always set it, so a record without it was written by hand and is skipped with the reason, not answered halfway.
     */
    static String missing(InvocationQuery query) {
        return switch (query) {
            case ListInvocations list -> list.ingressId() == null ? "an ingress id"
                    : list.requestIds() == null || list.requestIds().stream().anyMatch(Objects::isNull)
                            ? "a request id per partition"
                    : null;
            case DescribeInvocation describe -> describe.invocationId() == null ? "an invocation id"
                    : missing(describe.replyTo());
            case DescribeState describe -> describe.service() == null || describe.key() == null
                    ? "a service and a key" : missing(describe.replyTo());
        };
    }

    private static String missing(ReplyTo replyTo) {
        return replyTo == null || replyTo.ingressId() == null || replyTo.requestId() == null ? "a reply address"
                : null;
    }

    /**
     * Answers what it can of each pending query, and forgets a query once it is answered in full or its window has
     * passed. A partition that is not queryable yet (its task starting or restoring) is tried again a little later.
     */
    private void answerPending(long now) {
        activePartitions(); // notes partitions assigned since the last look, even with no query pending
        for (Iterator<Pending> queries = pending.iterator(); queries.hasNext(); ) {
            Pending query = queries.next();
            boolean done;
            try {
                done = switch (query.query) {
                    case ListInvocations list -> answer(list, query.answered);
                    case DescribeInvocation describe -> answer(describe, query, now);
                    case DescribeState describe -> answer(describe, query, now);
                };
            } catch (RuntimeException e) {
                // One bad query must not stop the answers to the next ones.
                log.error("Answering a query failed: {}", query.query, e);
                done = true;
            }
            if (done || now > query.until) {
                queries.remove();
            }
        }
    }

    /** Answers for the partitions hosted here that have no answer yet; true once every partition has one. */
    private boolean answer(ListInvocations list, Set<Integer> answered) {
        InvocationListing.Filter filter =
                new InvocationListing.Filter(list.status(), list.service(), list.handler(), list.key());
        int limit = Math.clamp(list.limit(), 1, ListInvocations.MAX_PAGE + 1);
        for (int partition : activePartitions()) {
            if (partition >= list.requestIds().size() || answered.contains(partition)) {
                continue;
            }
            try {
                InvocationListing.Page page = listing(partition)
                        .page(filter, list.after(), limit, InvocationListing.MAX_EXAMINED);
                send(list.ingressId(),
                        Reply.page(list.requestIds().get(partition), page.invocations(), page.scannedTo()));
                answered.add(partition);
            } catch (InvalidStateStoreException e) {
                log.debug("Partition {} is not queryable here now: {}", partition, e.getMessage());
            }
        }
        return answered.size() >= list.requestIds().size();
    }

    /**
     * Answers if the invocation's partition is hosted here; true once answered (or unanswerable). Found, it answers
     * at once. Not found, it answers once the partition's task has committed everything both command topics held
     * when it first looked: the store may not show yet what the log already has (a transaction redone after a rebalance), and the
     * asker may just have been told its invocation was accepted. Past half the asker's wait it answers anyway.
     */
    private boolean answer(DescribeInvocation describe, Pending query, long now) {
        int partition = Routing.partition(describe.invocationId().partitionKey(), partitions);
        if (!activePartitions().contains(partition)) {
            return false; // the process that hosts it answers (or this one, once the partition is assigned here)
        }
        ReplyTo replyTo = describe.replyTo();
        try {
            Lookup<InvocationView> lookup = lookUp(commandPartitions(partition), this::committedOffset,
                    () -> listing(partition).describe(describe.invocationId()), () -> commandEnds(query, partition));
            if (lookup.found() != null) {
                send(replyTo.ingressId(), Reply.invocations(replyTo.requestId(), List.of(lookup.found())));
                return true;
            }
            if (!lookup.caughtUp() && !mayAnswerNotFound(query, partition, now)) {
                return false;
            }
            send(replyTo.ingressId(), Reply.of(Reply.Kind.NOT_FOUND, replyTo.requestId(), describe.invocationId()));
            return true;
        } catch (InvalidStateStoreException e) {
            log.debug("Partition {} is not queryable here now: {}", partition, e.getMessage());
            return false;
        }
    }

    /**
     * Answers if the key's partition is hosted here (the partition of every invocation for the key); true once
     * answered (or unanswerable). With the same care as a describe of an invocation: a key with state is answered at
     * once; a key without any only once the partition's task has caught up with the command topics (or past half
     * the asker's wait), since the state a command just wrote may not show in the store yet. A key that never had
     * state and one whose state was cleared are the same answer: no entries.
     */
    private boolean answer(DescribeState describe, Pending query, long now) {
        ReplyTo replyTo = describe.replyTo(); // all there: see missing
        int partition = Routing.partition(Routing.partitionKey(describe.key()), partitions);
        if (!activePartitions().contains(partition)) {
            return false;
        }
        try {
            Lookup<List<StateEntry>> lookup = lookUp(commandPartitions(partition), this::committedOffset, () -> {
                List<StateEntry> found = ObjectStateReads.entries(objectStates(partition), describe.service(),
                        describe.key());
                return found.isEmpty() ? null : found;
            }, () -> commandEnds(query, partition));
            List<StateEntry> entries = lookup.found() != null ? lookup.found() : List.of();
            if (lookup.found() == null && !lookup.caughtUp() && !mayAnswerNotFound(query, partition, now)) {
                return false;
            }
            Reply reply = Reply.state(replyTo.requestId(), entries);
            byte[] json = Json.write(reply);
            if (json.length > maxReplyBytes) {
                reply = Reply.rejected(replyTo.requestId(), null, 413, "the state of " + describe.service() + "/"
                        + describe.key() + " (" + entries.size() + " entries, " + json.length
                        + " bytes as JSON) is larger than one reply may carry (" + maxReplyBytes + " bytes)");
                json = Json.write(reply);
            }
            send(replyTo.ingressId(), json);
            return true;
        } catch (InvalidStateStoreException e) {
            log.debug("Partition {} is not queryable here now: {}", partition, e.getMessage());
            return false;
        }
    }

    /**
     * What a read of a partition's store found (null for nothing), and whether the partition's active task had
     * committed everything the command topics held ({@code ends}) before the read: then nothing means none.
     *
     * @param found null when the read found nothing
     */
    record Lookup<T>(T found, boolean caughtUp) {}

    /**
     * Reads a partition's store after noting what its task had committed. The order matters: the task writes to its
     * store before it commits, so whatever was committed before the read is in what the read saw. Noted after the
     * read, a commit in between would vouch for a command the read did not see, and an invocation accepted a moment
     * ago would be answered as unknown. The ends are asked for (from the broker) only when the read found nothing.
     *
     * @param commandPartitions the partition's command topic partitions
     * @param ends their ends when the query first looked
     */
    static <T> Lookup<T> lookUp(List<TopicPartition> commandPartitions, ToLongFunction<TopicPartition> committed,
            Supplier<T> read, Supplier<Map<TopicPartition, Long>> ends) {
        Map<TopicPartition, Long> committedBefore = new HashMap<>();
        for (TopicPartition partition : commandPartitions) {
            committedBefore.put(partition, committed.applyAsLong(partition));
        }
        T found = read.get();
        if (found != null) {
            return new Lookup<>(found, true);
        }
        boolean caughtUp = ends.get().entrySet().stream()
                .allMatch(end -> committedBefore.getOrDefault(end.getKey(), -1L) >= end.getValue());
        return new Lookup<>(null, caughtUp);
    }

    /** The partition's command topic partitions: the ingress writes to the requests topic, the others to the log. */
    private List<TopicPartition> commandPartitions(int partition) {
        return List.of(new TopicPartition(topics.log(), partition), new TopicPartition(topics.requests(), partition));
    }

    /** The ends of the partition's command topics when the query first looked (asked once per query). */
    private Map<TopicPartition, Long> commandEnds(Pending query, int partition) {
        if (query.commandEnds == null) {
            query.commandEnds = consumer.endOffsets(commandPartitions(partition), Duration.ofSeconds(1));
        }
        return query.commandEnds;
    }

    /**
     * Whether a read that found nothing may say so although the task has not shown that it caught up (its committed
     * offsets can stay unknown while it has nothing new to commit): past half the asker's wait, and only once the
     * task has been active here for longer than a commit interval. A task assigned a moment ago (at start, after a
     * rebalance) may still be reading the command that created what was asked for; saying "not found" then would
     * deny an invocation that was just accepted, so it says nothing, and the asker answers that no answer came.
     */
    private boolean mayAnswerNotFound(Pending query, int partition, long now) {
        return mayAnswerNotFound(query.until, activeSince.get(partition), now);
    }

    /**
     * @param until when the asker stops waiting
     * @param activeSince when the partition's task was first seen active here; null when it is not
     */
    static boolean mayAnswerNotFound(long until, Long activeSince, long now) {
        return now >= until - InvocationQuery.ANSWER_WITHIN.toMillis() / 2
                && activeSince != null && now - activeSince >= SETTLING.toMillis();
    }

    /** The offset the active task reading this command topic partition has committed here; -1 when unknown. */
    private long committedOffset(TopicPartition commandPartition) {
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                Long committed = task.committedOffsets().get(commandPartition);
                if (committed != null) {
                    return committed;
                }
            }
        }
        return -1;
    }

    /**
     * Longer than the processor's commit interval (1 s): by then a task assigned here has committed what it read
     * first.
     */
    static final Duration SETTLING = Duration.ofMillis(1_500);

    /** The partitions of the command log whose tasks run here as active (not standby) ones; notes new ones. */
    private Set<Integer> activePartitions() {
        Set<Integer> active = new TreeSet<>();
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            activeSince.clear();
            return active; // starting or stopping: nothing to answer from
        }
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                for (TopicPartition partition : task.topicPartitions()) {
                    if (partition.topic().equals(topics.log())) {
                        active.add(partition.partition());
                    }
                }
            }
        }
        long now = System.currentTimeMillis();
        activeSince.keySet().retainAll(active);
        for (int partition : active) {
            activeSince.putIfAbsent(partition, now);
        }
        return active;
    }

    /** The partition's stores, as interactive queries show them (active ones only: never a stale standby). */
    private InvocationListing listing(int partition) {
        ReadOnlyKeyValueStore<String, byte[]> byTime = streams.store(StoreQueryParameters.fromNameAndType(
                ProcessorTopology.INVOCATIONS_BY_TIME, QueryableStoreTypes.<String, byte[]>keyValueStore())
                .withPartition(partition));
        ReadOnlyKeyValueStore<String, InvocationState> invocations = streams.store(StoreQueryParameters.fromNameAndType(
                ProcessorTopology.INVOCATIONS, QueryableStoreTypes.<String, InvocationState>keyValueStore())
                .withPartition(partition));
        return new InvocationListing(byTime, invocations);
    }

    /** The partition's object-state store, as interactive queries show it (the active one only). */
    private ReadOnlyKeyValueStore<String, ObjectState> objectStates(int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(
                ProcessorTopology.OBJECT_STATES, QueryableStoreTypes.<String, ObjectState>keyValueStore())
                .withPartition(partition));
    }

    private void send(String ingressId, Reply reply) {
        send(ingressId, Json.write(reply));
    }

    /** Keyed by the asker's ingress id, as the processor's replies are: it reads the partition of that key. */
    private void send(String ingressId, byte[] reply) {
        producer.send(new ProducerRecord<>(topics.replies(), ingressId, reply), (metadata, error) -> {
            if (error != null) {
                log.warn("Could not send an answer to {}: {}", ingressId, error.getMessage());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5));
        } else {
            consumer.wakeup();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}
