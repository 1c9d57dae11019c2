package dev.ferry.schemas;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The mark of a record the processor hands to a reader in its own process as it sends it, before the broker has it
 * (ARCHITECTURE.md, "Latency, throughput and memory"). The reader fetches the same record from the topic later, and
 * knows it there by this mark: its offset is not known yet when it is handed over.
 *
 * <p>{@code producer} is a random number for each producer instance, {@code sequence} counts that producer's marked
 * records in the order it sends them. A producer keeps its order within a partition, so a reader that reads
 * {@code (producer, n)} on a partition knows that every mark of that producer below {@code n} on the same partition
 * came before it or never will (its send failed).
 */
public record HandOverMark(long producer, long sequence) {
    /** The record header that carries the mark: 16 bytes, the producer and the sequence, big-endian. */
    public static final String HEADER = "ferry-hand-over";

    public byte[] bytes() {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(producer).putLong(sequence).array();
    }

    /** The record's mark, or null when it has none (a record some other producer wrote). */
    public static HandOverMark of(Headers headers) {
        if (headers == null) {
            return null;
        }
        Header header = headers.lastHeader(HEADER);
        if (header == null || header.value() == null || header.value().length != 2 * Long.BYTES) {
            return null;
        }
        ByteBuffer value = ByteBuffer.wrap(header.value());
        return new HandOverMark(value.getLong(), value.getLong());
    }
}
