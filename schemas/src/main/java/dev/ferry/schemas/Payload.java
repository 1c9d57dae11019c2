package dev.ferry.schemas;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * An opaque request or response body as it travels inside Ferry's JSON records.
 *
 * <p>A body that is one well-formed JSON value is written as that value, so records stay readable and a plain
 * Kafka producer can write {@code "body": {"name": "Mary"}}. Any other body is written as
 * {@code {"$base64": "..."}}; a JSON body that itself has exactly that shape is base64-wrapped too, so reading
 * is never ambiguous. An empty body is left out of the record.
 */
@JsonSerialize(using = Payload.Writer.class)
@JsonDeserialize(using = Payload.Reader.class)
public final class Payload {
    public static final Payload EMPTY = new Payload(new byte[0]);
    private static final String BASE64_FIELD = "$base64";

    private final byte[] bytes;
    /** The body as JSON text when it is one JSON value, "" when it is not; null until first asked. */
    private volatile String jsonText;

    private Payload(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Payload of(byte[] bytes) {
        return bytes == null || bytes.length == 0 ? EMPTY : new Payload(bytes);
    }

    public static Payload ofUtf8(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes; callers must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    public int size() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The body as JSON text if it is exactly one JSON value in strict UTF-8, otherwise null. */
    String jsonTextOrNull() {
        String text = jsonText;
        if (text == null) {
            text = detectJson(bytes);
            jsonText = text;
        }
        return text.isEmpty() ? null : text;
    }

    /** The bytes as UTF-8 text; null when they are not valid UTF-8 (nothing is replaced). */
    public String utf8OrNull() {
        return utf8OrNull(bytes);
    }

    /** The bytes as UTF-8 text; null when they are not valid UTF-8 (nothing is replaced). */
    public static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String detectJson(byte[] bytes) {
        String text = utf8OrNull(bytes);
        if (text == null) {
            return "";
        }
        try (JsonParser parser = Json.BODY_FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                return "";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "";
            }
        } catch (IOException e) {
            return "";
        }
        return text.contains(BASE64_FIELD) && isBase64Wrapper(text) ? "" : text;
    }

    /** True for a JSON object whose only field is {@code $base64}: written as-is it would read back as base64. */
    private static boolean isBase64Wrapper(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            return node.isObject() && node.size() == 1 && node.has(BASE64_FIELD);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Payload that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Payload[" + bytes.length + " bytes]";
    }

    static final class Writer extends StdSerializer<Payload> {
        private static final long serialVersionUID = 1L;

        Writer() {
            super(Payload.class);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Payload value) {
            return value == null || value.isEmpty();
        }

        @Override
        public void serialize(Payload value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            String json = value.jsonTextOrNull();
            if (json != null) {
                gen.writeRawValue(json);
            } else {
                writeBase64(value, gen);
            }
        }
    }

    /**
     * Writes a payload as {@code {"$base64": "..."}} always, even when it is JSON: for bytes that must come back
     * exactly as they were (journal entries, object state), which reading a JSON value back would normalise.
     * {@link Reader} reads both forms.
     */
    public static final class Base64Writer extends StdSerializer<Payload> {
        private static final long serialVersionUID = 1L;

        public Base64Writer() {
            super(Payload.class);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Payload value) {
            return value == null || value.isEmpty();
        }

        @Override
        public void serialize(Payload value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            writeBase64(value, gen);
        }
    }

    private static void writeBase64(Payload value, JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        gen.writeStringField(BASE64_FIELD, Base64.getEncoder().encodeToString(value.bytes));
        gen.writeEndObject();
    }

    static final class Reader extends StdDeserializer<Payload> {
        private static final long serialVersionUID = 1L;

        Reader() {
            super(Payload.class);
        }

        @Override
        public Payload deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = p.readValueAsTree();
            if (node == null || node.isMissingNode()) {
                return EMPTY;
            }
            if (node.isObject() && node.size() == 1 && node.has(BASE64_FIELD)) {
                JsonNode encoded = node.get(BASE64_FIELD);
                if (!encoded.isTextual()) {
                    throw ctxt.weirdStringException(encoded.toString(), Payload.class, "$base64 must be a string");
                }
                try {
                    return of(Base64.getDecoder().decode(encoded.asText()));
                } catch (IllegalArgumentException e) {
                    throw ctxt.weirdStringException(encoded.asText(), Payload.class, "invalid base64: " + e.getMessage());
                }
            }
            byte[] bytes = Json.MAPPER.writeValueAsBytes(node);
            Payload payload = new Payload(bytes);
            payload.jsonText = new String(bytes, StandardCharsets.UTF_8);
            return payload;
        }

        @Override
        public Payload getNullValue(DeserializationContext ctxt) {
            // "body": null is the JSON body `null`, which is not the same as no body.
            return ofUtf8("null");
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return EMPTY; // no "body" field: no body (Jackson would otherwise fall back to getNullValue)
        }
    }
}
