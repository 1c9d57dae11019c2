package dev.ferry.admin;

import static dev.ferry.admin.AdminUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.journal.StateEntry;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.replies.Reply;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /services/{service}/state/{key}} over HTTP against the admin API with a stand-in processor: what is
 * asked, how the state is written, and the refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateApiTest {
    private final AdminUnderTest admin = new AdminUnderTest();
    private final FakeProcessorClient processor = admin.processor;

    @BeforeEach
    void reset() {
        processor.reset();
    }

    @AfterAll
    void stop() {
        admin.close();
    }

    private static StateEntry entry(String key, byte[] value) {
        return new StateEntry(Payload.ofUtf8(key), Payload.of(value));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aKeysStateIsItsEntriesSortedByKeyJsonValuesAsJsonAndOtherBytesAsBase64() throws Exception {
        processor.state(Optional.of(Reply.state("r", List.of(
                entry("count", utf8("42")),
                entry("profile", utf8("{\"name\":\"Mary\",\"tags\":[\"a\"],\"ratio\":1.10}")),
                entry("blob", new byte[] {(byte) 0xff, 0, 1}),
                entry("greeting", utf8("\"hello\"")),
                entry("text", utf8("not json")),
                entry("wrapper", utf8("{\"$base64\":\"AAE=\"}")),
                entry("empty", new byte[0])))));

        HttpResponse<String> response = admin.get("/services/Counter/state/mary");

        assertThat(processor.stateReads()).containsExactly(
                new FakeProcessorClient.StateRead("Counter", "mary", InvocationQuery.ANSWER_WITHIN));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode expected = Json.MAPPER.readTree("""
                {"service_name":"Counter","service_key":"mary","state":[
                  {"key":"blob","value":{"$base64":"/wAB"}},
                  {"key":"count","value":42},
                  {"key":"empty","value":{"$base64":""}},
                  {"key":"greeting","value":"hello"},
                  {"key":"profile","value":{"name":"Mary","tags":["a"],"ratio":1.10}},
                  {"key":"text","value":{"$base64":"bm90IGpzb24="}},
                  {"key":"wrapper","value":{"$base64":"eyIkYmFzZTY0IjoiQUFFPSJ9"}}
                ]}""");
        assertThat(json(response)).isEqualTo(expected);
        assertThat(response.body()).as("numbers as written").contains("1.10");
    }

    @Test
    void aKeyWithoutStateIsAnEmptyListNotA404() {
        processor.state(Optional.of(Reply.state("r", List.of())));

        HttpResponse<String> response = admin.get("/services/Signup/state/run-1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"service_name\":\"Signup\",\"service_key\":\"run-1\",\"state\":[]}");
    }

    @Test
    void theKeyIsPercentDecodedAndMayHoldSlashesSpacesPlusSignsAndAnyText() {
        processor.state(Optional.of(Reply.state("r", List.of())));

        admin.get("/services/Counter/state/a%2Fb%20c+d%E2%82%AC");
        admin.get("/services/Counter/state/x/y");

        assertThat(processor.stateReads()).extracting(FakeProcessorClient.StateRead::key)
                .containsExactly("a/b c+d€", "x/y");
    }

    @Test
    void aKeyThatIsNotUtf8IsBase64Too() {
        processor.state(Optional.of(Reply.state("r", List.of(
                new StateEntry(Payload.of(new byte[] {(byte) 0xc3}), Payload.ofUtf8("1"))))));

        JsonNode state = json(admin.get("/services/Counter/state/mary")).get("state");

        assertThat(state.get(0).get("key").get("$base64").asText()).isEqualTo("ww==");
    }

    @Test
    void anUnknownServiceIs404AndAStatelessOneIs400WithoutAskingTheProcessor() {
        HttpResponse<String> unknown = admin.get("/services/Nope/state/mary");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("message").asText()).isEqualTo("The requested service 'Nope' does not exist");

        HttpResponse<String> stateless = admin.get("/services/Greeter/state/mary");
        assertThat(stateless.statusCode()).isEqualTo(400);
        assertThat(json(stateless).get("message").asText())
                .isEqualTo("The service 'Greeter' is a Service: only virtual objects and workflows have state");
        assertThat(processor.untouched()).isTrue();
    }

    @Test
    void noAnswerInTimeIs503AndARefusalKeepsItsCode() {
        processor.state(Optional.empty());
        HttpResponse<String> silent = admin.get("/services/Counter/state/mary");
        assertThat(silent.statusCode()).isEqualTo(503);
        assertThat(json(silent).get("message").asText()).contains("no processor answered", "'mary'");

        processor.state(Optional.of(Reply.rejected("r", null, 413, "too large")));
        HttpResponse<String> refused = admin.get("/services/Counter/state/mary");
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(json(refused).get("message").asText()).isEqualTo("too large");
    }

    @Test
    void stateIsReadOnly() {
        for (String method : List.of("PUT", "POST", "PATCH", "DELETE")) {
            HttpResponse<String> response = admin.method(method, "/services/Counter/state/mary", null);
            assertThat(response.statusCode()).as(method).isIn(404, 405);
        }
        assertThat(processor.untouched()).isTrue();
    }
}
