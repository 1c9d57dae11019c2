package dev.ferry.processor;

import org.apache.kafka.common.header.Headers;

/**
 * Sees each record the processor writes (dispatches, replies, results, ...) once the broker has acknowledged it: at
 * the moment a {@code read_uncommitted} consumer could first read it, which is how dispatchers and ingresses read the
 * processor's outputs. Roles that share the processor's process take their records here instead of waiting for
 * their consumer to fetch them; the records still go to Kafka for every other reader, and for these ones too (a
 * reader must take a record it has already been handed as a repeat).
 *
 * <p>Called on the producer's network thread: an implementation returns quickly and never blocks.
 */
@FunctionalInterface
public interface ProcessorOutputs {
    /** No reader in this process. */
    ProcessorOutputs NONE = (topic, partition, offset, key, value, timestamp) -> { };

    /**
     * @param offset    where the record is in its partition: a reader that also fetches the partition knows the
     *                  copy it reads there by it
     * @param timestamp the record's time (when the processor produced it), epoch milliseconds
     */
    void acknowledged(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp);

    /**
     * The same, with the record's headers (a dispatch's trace context): readers that need them override this one.
     */
    default void acknowledged(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp,
            Headers headers) {
        acknowledged(topic, partition, offset, key, value, timestamp);
    }
}
