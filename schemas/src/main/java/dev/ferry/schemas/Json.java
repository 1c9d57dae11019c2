package dev.ferry.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one Jackson configuration for every record Ferry writes or reads. */
public final class Json {
    /** How deep JSON may nest in a record (Jackson's default). */
    public static final int MAX_NESTING_DEPTH = 1000;
    /**
     * A body nests inside a record a few levels deep (the invocations store: state, outcome, success, body): a body
     * nested deeper than this is carried as bytes (base64), so a record holding it is never too deep to read.
     */
    public static final int MAX_BODY_NESTING_DEPTH = MAX_NESTING_DEPTH - 16;
    /**
     * What Jackson reads. Its default limit on a string (20,000,000 characters) is below a body of 32 MiB, and a
     * record that carries it could not be read back. The record limits are the protection against absurd input
     * here: a record on Kafka is never longer than {@link RecordLimits#LARGEST_RECORD_BYTES}, so neither is any
     * string in it. Numbers (1,000 digits) and names (50,000 characters) keep Jackson's limits; a body beyond them
     * is carried as bytes (see {@link Payload}).
     */
    public static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxStringLength(RecordLimits.LARGEST_RECORD_BYTES)
            .maxDocumentLength(RecordLimits.LARGEST_RECORD_BYTES)
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .build();
    /**
     * The buffers Jackson reads and writes through, shared by every thread. Jackson's default keeps them in a
     * thread-local, and a virtual thread (each request on the ports, each attempt in the dispatcher) lives for one
     * call: every record written there allocated fresh buffers, about 25 KB a call (async-profiler, docs/performance.md).
     * The pool is bounded: a buffer that grew for a large body is kept by at most this many holders, and a thread that
     * finds the pool empty allocates, as it did before. JSON work is CPU-bound, so a few per core is enough.
     */
    static final RecyclerPool<BufferRecycler> BUFFERS =
            JsonRecyclerPools.newBoundedPool(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    /** Reads a body to tell whether it is JSON: as {@link #MAPPER} does, but no deeper than a body may be. */
    static final JsonFactory BODY_FACTORY = JsonFactory.builder()
            .streamReadConstraints(READ_CONSTRAINTS.rebuild().maxNestingDepth(MAX_BODY_NESTING_DEPTH).build())
            .recyclerPool(BUFFERS)
            .build();

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(READ_CONSTRAINTS).recyclerPool(BUFFERS).build())
            // Newer producers may add fields; older readers keep working. Validation against the JSON Schemas is
            // where unexpected input is rejected, with a reason.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Keep numbers inside bodies exactly as written (1.10 stays 1.10).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            // An empty body is left out of a record rather than written as {"$base64":""}.
            .withConfigOverride(Payload.class, o -> o.setInclude(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.NON_EMPTY)))
            .build();

    private Json() {}

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Reads JSON bytes; a malformed document throws {@link IOException} with Jackson's location and reason. */
    public static <T> T read(byte[] bytes, Class<T> type) throws IOException {
        return MAPPER.readValue(bytes, type);
    }

    /** Reads JSON that Ferry itself wrote; a failure here is a bug, not bad input. */
    public static <T> T readTrusted(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName(), e);
        }
    }
}
