package dev.ferry.processor;

import org.apache.kafka.common.header.Headers;

/**
 * Sees the records the processor writes (dispatches, replies, results, ...). Roles that share the processor's process
 * take the records of the topics they read ({@link #takes}) as the processor sends them, instead of waiting for their
 * consumer to fetch them; the records still go to Kafka for every other reader, and for these ones too: each such
 * record carries a {@link dev.ferry.schemas.HandOverMark}, by which a reader knows the copy it fetches later.
 *
 * <p>A record is handed over before the broker has it (ARCHITECTURE.md, "Crashes"): a reader may act on a record whose
 * send then fails. That fails the processor's transaction, as a crash would, and the command that wrote it is
 * processed again, writing the same record again; readers of {@code read_uncommitted} outputs meet the same in an
 * aborted transaction.
 */
public interface ProcessorOutputs {
    /** No reader in this process. */
    ProcessorOutputs NONE = new ProcessorOutputs() { };

    /** Whether a reader in this process takes the records of this topic as they are sent. */
    default boolean takes(String topic) {
        return false;
    }

    /**
     * A record of a topic this process {@link #takes}, as the processor sends it. Called on the stream thread, before
     * the record is handed to the producer: an implementation returns quickly and never blocks.
     *
     * @param timestamp the record's time (when the processor produced it), epoch milliseconds
     * @param headers   the record's headers, its {@link dev.ferry.schemas.HandOverMark} among them
     */
    default void sending(String topic, int partition, byte[] key, byte[] value, long timestamp, Headers headers) {
    }

    /**
     * The broker acknowledged a record, any topic's: it is where a {@code read_uncommitted} consumer can read it.
     * Called on the producer's network thread: an implementation returns quickly and never blocks.
     */
    default void acknowledged(String topic, int partition, long offset, byte[] key) {
    }
}
