package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How a dead letter's key and value show in {@code GET /dead-letters}; reading them is tested in UiOperationsIT. */
class DeadLettersApiTest {
    @Test
    void utf8TextShowsAsText() {
        assertThat(shown("{not json, €}".getBytes(StandardCharsets.UTF_8), false).get("v").asText())
                .isEqualTo("{not json, €}");
    }

    @Test
    void bytesThatAreNotUtf8ShowAsBase64() {
        ObjectNode shown = shown(new byte[] {0, 1, 2, (byte) 0xFF}, false);

        assertThat(shown.get("v").get("$base64").asText()).isEqualTo("AAEC/w==");
    }

    @Test
    void aCutThatSplitsTheLastCharacterDropsItsBytesOnly() {
        byte[] euro = "ab€".getBytes(StandardCharsets.UTF_8); // € is three bytes
        byte[] cut = Arrays.copyOf(euro, euro.length - 1);

        assertThat(shown(cut, true).get("v").asText()).isEqualTo("ab");
        assertThat(shown(cut, false).get("v").has("$base64")).as("not cut: the bytes are what they are").isTrue();
    }

    private static ObjectNode shown(byte[] bytes, boolean cut) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        DeadLettersApi.putBytes(node, "v", bytes, cut);
        return node;
    }
}
