package dev.ferry.processor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Source records whose effects could not be produced, by topic, partition and offset, with the reason. Under
 * exactly-once such a failure aborts the transaction, and Kafka Streams processes the same record again: the
 * processor finds it here and ends its invocation instead of producing the same failing record forever. Shared by
 * the production exception handler (which records) and the processors (which consult) of one Kafka Streams
 * instance; kept in memory, so after a restart a record can fail once more before it is known.
 */
final class PoisonedRecords {
    /** The Kafka Streams property that carries the instance to {@link ProductionFailures}. */
    static final String CONFIG = "ferry.poisoned.records";
    /** More would mean something fails on every record: bound the memory, the stream thread's handler acts then. */
    private static final int MAX_ENTRIES = 10_000;

    private final Map<String, String> reasons = new ConcurrentHashMap<>();
    private final Map<String, Integer> times = new ConcurrentHashMap<>();

    void add(String topic, int partition, long offset, String reason) {
        if (reasons.size() < MAX_ENTRIES) {
            reasons.put(key(topic, partition, offset), reason);
        }
    }

    /** Why effects of this record could not be produced, or null. */
    String reason(String topic, int partition, long offset) {
        return reasons.get(key(topic, partition, offset));
    }

    /**
     * Counts one more time the processor met this record after its effects failed: the first time it ends the
     * record's invocation, after that (ending it failed to produce too) it only dead-letters the record.
     */
    int met(String topic, int partition, long offset) {
        return times.merge(key(topic, partition, offset), 1, Integer::sum);
    }

    int size() {
        return reasons.size();
    }

    private static String key(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }
}
