package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.JsonSerde;
import dev.ferry.schemas.RecordSchemas;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.results.ResultTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** The processor's topology, built in one place: the log and requests in, the state machine with its stores, the sinks. */
public final class ProcessorTopology {
    public static final String INVOCATIONS = "invocations";
    public static final String INPUTS = "inputs";
    public static final String TIMERS = "timers";
    public static final String INBOXES = "inboxes";
    public static final String INBOX_ENTRIES = "inbox-entries";
    /** Every invocation's {@link InvocationsByTime} key: the listing order, for queries. */
    public static final String INVOCATIONS_BY_TIME = "invocations-by-time";
    /** Journals of invocations of services written with Restate's SDKs, by invocation id. */
    public static final String JOURNALS = "journals";
    /** State of virtual objects and workflows written with Restate's SDKs, by key lock. */
    public static final String OBJECT_STATES = "object-states";
    /** Durable promises of workflows written with Restate's SDKs, by key lock and name. */
    public static final String PROMISES = "promises";
    /**
     * What a task that redoes commands has read but not acted on yet (see {@code CommandProcessor}): kept with the
     * task's other state, so the offsets it commits never get ahead of it when the task moves mid-redo.
     */
    public static final String REDO = "redo";

    static final String SOURCE = "commands";
    static final String STATE_MACHINE = "state-machine";
    static final String DISPATCH_SINK = "dispatch";
    static final String REPLIES_SINK = "replies";
    static final String DEAD_LETTER_SINK = "dead-letter";
    static final String REROUTE_SINK = "reroute";
    /** Commands the state machine writes for other invocations (calls and notifications of SDK handlers). */
    static final String LOG_SINK = "log";
    static final String RESULTS_SINK = "results";
    /** Names the topic of a published result (the results topic, or a subscription's own). */
    static final String RESULT_TOPIC_HEADER = "ferry.result-topic";


    private ProcessorTopology() {}

    /**
     * With every result topic taken to exist and take any record (tests without a broker).
     *
     * @param commandLog where due timers are asked for, and how a task tells that it redoes commands
     */
    public static Topology build(Topics topics, ProcessorSettings settings, CommandLogAccess commandLog,
            MeterRegistry meters) {
        return build(topics, settings, TopicLimits.unlimited(), new PoisonedRecords(), commandLog, meters);
    }

    /** @param topicLimits what is known of the topics results are published on, besides Ferry's results topic */
    static Topology build(Topics topics, ProcessorSettings settings, TopicLimits topicLimits,
            PoisonedRecords poisoned, CommandLogAccess commandLog, MeterRegistry meters) {
        Map<String, String> changelogConfig = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                settings.limits().topicMaxMessageBytes());
        Map<String, String> plainChangelog = Map.of();
        StoreBuilder<KeyValueStore<String, InvocationState>> invocations =
                store(INVOCATIONS, JsonSerde.of(InvocationState.class), changelogConfig);
        StoreBuilder<KeyValueStore<String, StoredInput>> inputs =
                store(INPUTS, JsonSerde.of(StoredInput.class), changelogConfig);
        StoreBuilder<KeyValueStore<String, byte[]>> timers = store(TIMERS, Serdes.ByteArray(), plainChangelog);
        StoreBuilder<KeyValueStore<String, Inbox>> inboxes =
                store(INBOXES, JsonSerde.of(Inbox.class), plainChangelog);
        StoreBuilder<KeyValueStore<String, String>> inboxEntries =
                store(INBOX_ENTRIES, Serdes.String(), plainChangelog);
        StoreBuilder<KeyValueStore<String, byte[]>> invocationsByTime =
                store(INVOCATIONS_BY_TIME, Serdes.ByteArray(), plainChangelog);
        StoreBuilder<KeyValueStore<String, Journal>> journals =
                store(JOURNALS, JsonSerde.of(Journal.class), changelogConfig);
        StoreBuilder<KeyValueStore<String, ObjectState>> objectStates =
                store(OBJECT_STATES, JsonSerde.of(ObjectState.class), changelogConfig);
        StoreBuilder<KeyValueStore<String, WorkflowPromise>> promises =
                store(PROMISES, JsonSerde.of(WorkflowPromise.class), changelogConfig);
        StoreBuilder<KeyValueStore<String, RedoWork>> redo =
                store(REDO, JsonSerde.of(RedoWork.class), changelogConfig);

        Topology topology = new Topology();
        // The log (dispatchers, direct producers) and the requests (ingresses) are co-partitioned: a task reads
        // partition n of both.
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.log(),
                topics.requests());
        RecordSchemas schemas = new RecordSchemas();
        ResultTopics resultTopics = settings.resultTopics() != null ? settings.resultTopics() : ResultTopics.any(topics);
        topology.addProcessor(STATE_MACHINE,
                () -> new CommandProcessor(settings, schemas, topics, resultTopics, topicLimits, poisoned,
                        commandLog, meters), SOURCE);
        topology.addStateStore(invocations, STATE_MACHINE);
        topology.addStateStore(inputs, STATE_MACHINE);
        topology.addStateStore(timers, STATE_MACHINE);
        topology.addStateStore(inboxes, STATE_MACHINE);
        topology.addStateStore(inboxEntries, STATE_MACHINE);
        topology.addStateStore(invocationsByTime, STATE_MACHINE);
        topology.addStateStore(journals, STATE_MACHINE);
        topology.addStateStore(objectStates, STATE_MACHINE);
        topology.addStateStore(promises, STATE_MACHINE);
        topology.addStateStore(redo, STATE_MACHINE);
        topology.addSink(DISPATCH_SINK, topics.dispatch(),
                Serdes.String().serializer(), Serdes.ByteArray().serializer(), STATE_MACHINE);
        topology.addSink(REPLIES_SINK, topics.replies(),
                Serdes.String().serializer(), Serdes.ByteArray().serializer(), STATE_MACHINE);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter(),
                Serdes.String().serializer(), Serdes.ByteArray().serializer(), STATE_MACHINE);
        topology.addSink(RESULTS_SINK,
                (key, value, context) -> new String(context.headers().lastHeader(RESULT_TOPIC_HEADER).value(),
                        StandardCharsets.UTF_8),
                Serdes.String().serializer(), Serdes.ByteArray().serializer(), STATE_MACHINE);
        // A command on the wrong partition goes back to the topic it came from, on the partition of its invocation
        // id (its key, written as its text).
        topology.<InvocationId, byte[]>addSink(REROUTE_SINK, (key, value, context) -> context.topic(),
                (topic, key) -> key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8),
                Serdes.ByteArray().serializer(),
                (topic, key, value, partitions) -> Optional.of(Set.of(
                        Routing.partition(key.partitionKey(), partitions))),
                STATE_MACHINE);
        topology.<InvocationId, byte[]>addSink(LOG_SINK, topics.log(),
                (topic, key) -> key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8),
                Serdes.ByteArray().serializer(),
                (topic, key, value, partitions) -> Optional.of(Set.of(
                        Routing.partition(key.partitionKey(), partitions))),
                STATE_MACHINE);
        return topology;
    }

    /**
     * A persistent store with a changelog and Kafka Streams' record cache in front. The cache is what keeps the
     * changelogs small: a store's writes go to RocksDB and to its changelog only when the task commits (or the
     * cache, {@code statestore.cache.max.bytes}, is full), and then once per key. A call writes its invocation
     * twice, its input and its lease timer once and deletes them at the end: without the cache each of those is a
     * changelog record and a RocksDB write, sent while the call waits; with it, a commit sends one record per key,
     * in a few large batches. Changelog records are part of the task's transaction either way, so what a crash
     * keeps is unchanged: state as of the last commit.
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values,
            Map<String, String> changelogConfig) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
                .withLoggingEnabled(changelogConfig)
                .withCachingEnabled();
    }
}
