package dev.ferry.schemas;

import java.util.Map;

/**
 * Every byte limit on Ferry's Kafka records, derived in this one place from the one setting: the largest body
 * (a request's, a service response's, a subscription record's value), {@code FERRY_MAX_BODY_SIZE}.
 *
 * <p>How large can a record that carries a body of {@code B} bytes get? A body travels inside JSON records (an
 * {@code Invoke}, a {@code Dispatch}, a {@code Completion}, a {@code Reply}, a published result, a failed
 * invocation, the processor's stores). No record carries two bodies.
 * <ul>
 *   <li>A body that is not one JSON value is base64-encoded: {@code 4 * ceil(B / 3)} bytes, at most
 *       {@code 4B/3 + 4}.
 *   <li>A JSON body is written as its text. Once the processor has read it, it is written again from its parsed
 *       form: whitespace goes and strings never grow, but a number can double, {@code 1e-6} becoming
 *       {@code 0.000001} (Jackson writes decimals as {@link java.math.BigDecimal#toString()} does). So at most
 *       {@code 2B}.
 * </ul>
 * Everything else in a record (keys, the caller's headers, ids, target, failure messages) is bounded by what the
 * ingress accepts: at most 256 KiB of headers and 64 KiB of request line, up to 6 bytes a character once
 * JSON-escaped, under 2 MiB. {@link #ENVELOPE_BYTES} leaves room for that twice over. A record rejected to the
 * dead-letter topic keeps its value and gains a reason and its origin as headers: {@link #DEAD_LETTER_BYTES}.
 *
 * <p>So: {@code recordBytes = 2B + 4 MiB} for every topic and changelog, and {@code 1 MiB} more for the
 * dead-letter topic and every producer's request. With the default of 32 MiB: 68 MiB and 69 MiB, under the 100 MiB
 * a Kafka broker takes in one request by default ({@code socket.request.max.bytes}).
 *
 * @param maxBodyBytes the largest body Ferry carries; larger request bodies get 413
 */
public record RecordLimits(int maxBodyBytes) {
    public static final int DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
    /** The largest setting: its records (517 MiB) still fit Kafka's int-sized limits with room to spare. */
    public static final int LARGEST_MAX_BODY_BYTES = 256 * 1024 * 1024;
    /** The most header bytes a request may have: Restate takes idempotency keys of 60,000 characters. */
    public static final int MAX_HEADER_BYTES = 256 * 1024;
    /** The longest request line (method, path with an object key, query), and so the longest key. */
    public static final int MAX_KEY_BYTES = 64 * 1024;
    /** Keys, headers, ids and messages in a record beside its body (see the class comment). */
    static final int ENVELOPE_BYTES = 4 * 1024 * 1024;
    /** What a dead-lettered record gains: the reason and its origin, as headers. */
    static final int DEAD_LETTER_BYTES = 1024 * 1024;
    /** Kafka's defaults, kept where they are larger. */
    private static final int KAFKA_DEFAULT_BUFFER_MEMORY = 32 * 1024 * 1024;
    private static final int KAFKA_DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
    private static final int KAFKA_DEFAULT_SOCKET_REQUEST_MAX_BYTES = 100 * 1024 * 1024;
    /** A produce request's own framing around its record batches. */
    private static final int REQUEST_FRAMING_BYTES = 1024 * 1024;

    public static final RecordLimits DEFAULT = new RecordLimits(DEFAULT_MAX_BODY_BYTES);
    /** The largest record any setting allows: no JSON document Ferry reads from Kafka can be longer. */
    public static final int LARGEST_RECORD_BYTES = deadLetterRecordBytes(LARGEST_MAX_BODY_BYTES);

    public RecordLimits {
        if (maxBodyBytes <= 0 || maxBodyBytes > LARGEST_MAX_BODY_BYTES) {
            throw new IllegalArgumentException("the largest body must be from 1 to " + LARGEST_MAX_BODY_BYTES
                    + " bytes, not " + maxBodyBytes);
        }
    }

    /** From a setting that may not fit an int; out of range is an {@link IllegalArgumentException}. */
    public static RecordLimits ofMaxBodyBytes(long maxBodyBytes) {
        if (maxBodyBytes <= 0 || maxBodyBytes > LARGEST_MAX_BODY_BYTES) {
            throw new IllegalArgumentException("the largest body must be from 1 to " + LARGEST_MAX_BODY_BYTES
                    + " bytes, not " + maxBodyBytes);
        }
        return new RecordLimits((int) maxBodyBytes);
    }

    /** The largest record on the command log, dispatch, replies and results topics and the changelogs. */
    public int recordBytes() {
        return recordBytes(maxBodyBytes);
    }

    /** The largest record on the dead-letter topic, and so the largest any of Ferry's producers sends. */
    public int deadLetterRecordBytes() {
        return deadLetterRecordBytes(maxBodyBytes);
    }

    /** A producer's memory for records not sent yet: two of the largest records, or Kafka's default. */
    public long producerBufferBytes() {
        return Math.max(KAFKA_DEFAULT_BUFFER_MEMORY, 2L * deadLetterRecordBytes());
    }

    /** The broker's {@code socket.request.max.bytes}: one produce request with the largest record must fit. */
    public int brokerRequestBytes() {
        return Math.max(KAFKA_DEFAULT_SOCKET_REQUEST_MAX_BYTES, produceRequestBytes());
    }

    /** The least {@code socket.request.max.bytes} a broker needs: one produce request with the largest record. */
    public int produceRequestBytes() {
        return deadLetterRecordBytes() + REQUEST_FRAMING_BYTES;
    }

    /**
     * The largest body whose records a broker taking requests of {@code socketRequestMaxBytes} accepts: what
     * {@code FERRY_MAX_BODY_SIZE} may be at most for it (0 if none).
     */
    public static long largestBodyFor(long socketRequestMaxBytes) {
        return Math.max(0, (socketRequestMaxBytes - REQUEST_FRAMING_BYTES - DEAD_LETTER_BYTES - ENVELOPE_BYTES) / 2);
    }

    /** {@code max.request.size} and {@code buffer.memory} for every producer Ferry creates. */
    public Map<String, String> producerProperties() {
        return Map.of(
                "max.request.size", Integer.toString(deadLetterRecordBytes()),
                "buffer.memory", Long.toString(producerBufferBytes()));
    }

    /**
     * Fetch sizes for every consumer Ferry creates. A consumer always gets a batch larger than these (so they are
     * not what makes a large record readable), but fetches it alone: sized to the largest record, it comes in one.
     */
    public Map<String, String> consumerProperties() {
        return Map.of(
                "max.partition.fetch.bytes", Integer.toString(deadLetterRecordBytes()),
                "fetch.max.bytes", Integer.toString(Math.max(KAFKA_DEFAULT_FETCH_MAX_BYTES, deadLetterRecordBytes())));
    }

    /** {@code max.message.bytes} of the dead-letter topic. */
    public String deadLetterTopicMaxMessageBytes() {
        return Integer.toString(deadLetterRecordBytes());
    }

    /** {@code max.message.bytes} of every other topic and changelog. */
    public String topicMaxMessageBytes() {
        return Integer.toString(recordBytes());
    }

    private static int recordBytes(int maxBodyBytes) {
        return 2 * maxBodyBytes + ENVELOPE_BYTES;
    }

    private static int deadLetterRecordBytes(int maxBodyBytes) {
        return recordBytes(maxBodyBytes) + DEAD_LETTER_BYTES;
    }
}
