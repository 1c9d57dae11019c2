package dev.ferry.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one Jackson configuration for every record Ferry writes or reads. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
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
