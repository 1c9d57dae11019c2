package dev.ferry.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.HandlerManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class InputRulesTest {
    private static final InputRules JSON_INPUT = rules(new HandlerManifest.Input(null, "application/json", null));
    private static final InputRules NO_INPUT = rules(null);
    private static final InputRules JSON_SCHEMA_INPUT =
            rules(new HandlerManifest.Input(null, "application/json", json("{\"type\":\"object\"}")));

    @Test
    void jsonInputAcceptsNoBodyAndNoContentType() {
        assertAccepted(JSON_INPUT, null, true);
    }

    @Test
    void jsonInputAcceptsJsonWithParameters() {
        assertAccepted(JSON_INPUT, "application/json; charset=utf-8", false);
    }

    @Test
    void jsonInputRejectsAnotherContentType() {
        assertRejected(JSON_INPUT, "text/plain", false,
                "input validation error: Content-type 'text/plain' does not match 'application/json'");
    }

    @Test
    void jsonInputRejectsABodyWithoutContentType() {
        assertRejected(JSON_INPUT, null, false, "input validation error: Empty content-type");
    }

    @Test
    void jsonInputRejectsAJsonFlavouredVendorType() {
        assertRejected(JSON_INPUT, "application/vnd.custom+json", false,
                "input validation error: Content-type 'application/vnd.custom+json' does not match"
                        + " 'application/json'");
    }

    @Test
    void jsonInputRejectsAnotherContentTypeEvenWithAnEmptyBody() {
        assertRejected(JSON_INPUT, "text/plain", true,
                "input validation error: Content-type 'text/plain' does not match 'application/json'");
    }

    @Test
    void noDeclaredInputAcceptsAnyContentType() {
        assertAccepted(NO_INPUT, "text/plain", false);
        assertAccepted(NO_INPUT, "application/octet-stream", true);
        assertAccepted(NO_INPUT, null, true);
    }

    @Test
    void noDeclaredInputRejectsABodyWithoutContentType() {
        assertRejected(NO_INPUT, null, false, "input validation error: Empty content-type");
    }

    @Test
    void jsonSchemaInputRejectsAnEmptyBody() {
        assertRejected(JSON_SCHEMA_INPUT, "application/json", true, "input validation error: Empty body not allowed");
    }

    @Test
    void jsonSchemaInputAcceptsAJsonBody() {
        assertAccepted(JSON_SCHEMA_INPUT, "application/json", false);
    }

    @Test
    void requiredInputRejectsNoBodyAndNoContentType() {
        InputRules required = rules(new HandlerManifest.Input(true, "application/json", null));

        assertRejected(required, null, true, "input validation error: Empty content-type");
    }

    @Test
    void emptyInputRejectsABody() {
        String refusal = rejection(rules(new HandlerManifest.Input(null, null, null)), "text/plain", false);

        assertThat(refusal).startsWith("input validation error: Expected body and content-type to be empty");
    }

    @Test
    void descriptionOfNoInputIsAnything() {
        assertThat(NO_INPUT.description()).isEqualTo("*/*");
    }

    @Test
    void descriptionOfAContentTypeIsTheContentType() {
        assertThat(JSON_INPUT.description()).isEqualTo("application/json");
    }

    @Test
    void descriptionOfATitledSchemaIsItsTitle() {
        InputRules titled =
                rules(new HandlerManifest.Input(null, "application/json", json("{\"title\":\"Foo\",\"type\":\"object\"}")));

        assertThat(titled.description()).isEqualTo("JSON 'Foo'");
    }

    @Test
    void descriptionOfAnUntitledSchemaIsItsType() {
        assertThat(JSON_SCHEMA_INPUT.description()).isEqualTo("JSON object");
    }

    @Test
    void descriptionOfAnEmptyInputIsNone() {
        assertThat(rules(new HandlerManifest.Input(null, null, null)).description()).isEqualTo("none");
    }

    private static void assertAccepted(InputRules rules, String contentType, boolean emptyBody) {
        assertThat(rules.check(contentType, emptyBody)).isNull();
    }

    private static void assertRejected(InputRules rules, String contentType, boolean emptyBody, String message) {
        assertThat(rejection(rules, contentType, emptyBody)).isEqualTo(message);
    }

    private static String rejection(InputRules rules, String contentType, boolean emptyBody) {
        String refusal = rules.check(contentType, emptyBody);
        assertThat(refusal).isNotNull();
        return refusal;
    }

    private static InputRules rules(HandlerManifest.Input input) {
        return InputRules.of(new HandlerManifest("h", null, null, input, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null));
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
