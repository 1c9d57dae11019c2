package dev.ferry.schemas;

import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.journal.StateEntry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadJsonTest {
    /** A record with a body, as Ferry's records carry one. */
    record Envelope(String name, Payload body) {}

    @Test
    void jsonObjectBodyIsWrittenAsARawJsonValue() {
        String json = Json.writeString(new Envelope("x", Payload.ofUtf8("{\"name\":\"Mary\"}")));

        assertThat(json).isEqualTo("{\"name\":\"x\",\"body\":{\"name\":\"Mary\"}}");
    }

    @Test
    void jsonScalarBodiesAreWrittenAsRawJsonValues() {
        assertThat(Json.writeString(Map.of("body", Payload.ofUtf8("42")))).isEqualTo("{\"body\":42}");
        assertThat(Json.writeString(Map.of("body", Payload.ofUtf8("\"hi\"")))).isEqualTo("{\"body\":\"hi\"}");
        assertThat(Json.writeString(Map.of("body", Payload.ofUtf8("[true,null]"))))
                .isEqualTo("{\"body\":[true,null]}");
    }

    @Test
    void plainTextBodyIsWrittenAsBase64() {
        String json = Json.writeString(Map.of("body", Payload.ofUtf8("not json")));

        assertThat(json).isEqualTo("{\"body\":{\"$base64\":\"" + base64("not json".getBytes(StandardCharsets.UTF_8))
                + "\"}}");
    }

    @Test
    void brokenJsonBodyIsWrittenAsBase64() {
        String json = Json.writeString(Map.of("body", Payload.ofUtf8("{broken")));

        assertThat(json).isEqualTo("{\"body\":{\"$base64\":\"" + base64("{broken".getBytes(StandardCharsets.UTF_8))
                + "\"}}");
    }

    @Test
    void twoJsonValuesInOneBodyAreWrittenAsBase64() {
        assertThat(Json.writeString(Map.of("body", Payload.ofUtf8("{} {}")))).contains("$base64");
    }

    @Test
    void invalidUtf8BodyIsWrittenAsBase64() {
        // "42" followed by bytes that are not UTF-8: a lenient decoder would see a JSON number.
        byte[] bytes = {'4', '2', (byte) 0xff, (byte) 0xfe};

        String json = Json.writeString(Map.of("body", Payload.of(bytes)));

        assertThat(json).isEqualTo("{\"body\":{\"$base64\":\"" + base64(bytes) + "\"}}");
    }

    @Test
    void nonJsonBodiesSurviveARoundTripByteForByte() throws IOException {
        byte[][] bodies = {
            "not json".getBytes(StandardCharsets.UTF_8),
            "{broken".getBytes(StandardCharsets.UTF_8),
            {0, 1, 2, (byte) 0x80, (byte) 0xff},
            {'"', (byte) 0xc3},
        };
        for (byte[] body : bodies) {
            assertThat(roundTrip(Payload.of(body)).bytes()).isEqualTo(body);
        }
    }

    @Test
    void jsonBodySurvivesARoundTripAsTheSameJson() throws IOException {
        Payload body = Payload.ofUtf8("{ \"b\" : [1, 2, {\"c\": null}], \"a\": \"é\" }");

        Payload read = roundTrip(body);

        assertThat(tree(read)).isEqualTo(tree(body));
    }

    @Test
    void decimalNumbersKeepTheirTextThroughARoundTrip() throws IOException {
        Payload read = roundTrip(Payload.ofUtf8("{\"price\":1.10,\"big\":123456789012345678901234567890}"));

        assertThat(read.utf8()).isEqualTo("{\"price\":1.10,\"big\":123456789012345678901234567890}");
    }

    @Test
    void jsonBodyShapedLikeTheBase64WrapperSurvivesARoundTripByteForByte() throws IOException {
        byte[] body = "{\"$base64\":\"x\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(roundTrip(Payload.of(body)).bytes()).isEqualTo(body);
    }

    @Test
    void jsonBodyShapedLikeTheBase64WrapperIsWrittenAsBase64() {
        byte[] body = "{\"$base64\":\"x\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(Json.writeString(Map.of("body", Payload.of(body))))
                .isEqualTo("{\"body\":{\"$base64\":\"" + base64(body) + "\"}}");
    }

    @Test
    void jsonObjectWithABase64FieldAndMoreIsWrittenAsJson() {
        assertThat(Json.writeString(Map.of("body", Payload.ofUtf8("{\"$base64\":\"x\",\"y\":1}"))))
                .isEqualTo("{\"body\":{\"$base64\":\"x\",\"y\":1}}");
    }

    @Test
    void emptyBodyIsLeftOutOfARecord() {
        assertThat(Json.writeString(new Envelope("x", Payload.EMPTY))).isEqualTo("{\"name\":\"x\"}");
    }

    @Test
    void emptyBodyIsLeftOutOfARealRecord() {
        assertThat(Json.writeString(new Outcome.Success(200, null, Payload.EMPTY))).isEqualTo("{\"status\":200}");
    }

    @Test
    void missingBodyReadsAsEmpty() throws IOException {
        Outcome.Success read = Json.read("{\"status\":200}".getBytes(StandardCharsets.UTF_8), Outcome.Success.class);

        assertThat(read.body().utf8()).isEmpty();
    }

    @Test
    void missingBodyInARecordWithoutDefaultsReadsAsEmpty() throws IOException {
        Envelope read = Json.read("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8), Envelope.class);

        assertThat(read.body() == null ? "" : read.body().utf8()).isEmpty();
    }

    @Test
    void emptyBodySurvivesARoundTrip() throws IOException {
        assertThat(roundTrip(Payload.EMPTY).bytes()).isEmpty();
    }

    @Test
    void nullBodyReadsAsTheJsonNull() throws IOException {
        Envelope read = Json.read("{\"name\":\"x\",\"body\":null}".getBytes(StandardCharsets.UTF_8), Envelope.class);

        assertThat(read.body()).isNotNull();
        assertThat(read.body().utf8()).isEqualTo("null");
    }

    @Test
    void base64WrapperReadsAsItsDecodedBytes() throws IOException {
        byte[] bytes = {1, 2, 3, (byte) 0xff};
        String json = "{\"name\":\"x\",\"body\":{\"$base64\":\"" + base64(bytes) + "\"}}";

        Envelope read = Json.read(json.getBytes(StandardCharsets.UTF_8), Envelope.class);

        assertThat(read.body().bytes()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"$base64\":5}", "{\"$base64\":\"not base64!\"}"})
    void malformedBase64WrapperIsRefused(String body) {
        String json = "{\"name\":\"x\",\"body\":" + body + "}";

        assertThatThrownBy(
                        () -> Json.read(json.getBytes(StandardCharsets.UTF_8), Envelope.class))
                .isInstanceOf(IOException.class);
    }

    @Test
    void journalEntriesAndStateComeBackByteForByteEvenWhenTheyLookLikeJson() throws IOException {
        byte[] spaced = "{ \"a\" : 1.0 }".getBytes(StandardCharsets.UTF_8);
        JournalEntry entry = new JournalEntry(0x0403, Payload.of(spaced));
        StateEntry state = new StateEntry(Payload.ofUtf8("count"), Payload.of(spaced));

        assertThat(Json.read(Json.write(entry), JournalEntry.class).message().bytes()).isEqualTo(spaced);
        StateEntry read = Json.read(Json.write(state), StateEntry.class);
        assertThat(read.key().utf8()).isEqualTo("count");
        assertThat(read.value().bytes()).isEqualTo(spaced);
        // A body keeps its JSON form, normalised: what Payload does for bodies.
        assertThat(roundTrip(Payload.of(spaced)).bytes()).isNotEqualTo(spaced);
    }

    private static Payload roundTrip(Payload body) throws IOException {
        return Json.read(Json.write(new Envelope("x", body)), Envelope.class).body();
    }

    private static JsonNode tree(Payload payload) throws IOException {
        return Json.MAPPER.readTree(payload.bytes());
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
