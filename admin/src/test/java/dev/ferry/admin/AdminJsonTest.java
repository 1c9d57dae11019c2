package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.ServiceProtocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a deployment is shown: Restate's protocol fields for a service written with a Restate SDK, none otherwise. */
class AdminJsonTest {
    private static final String ID = "dp_1" + "0".repeat(22);

    @Test
    void aDeploymentOfARestateSdkShowsItsProtocolAsRestateDoes() throws Exception {
        Deployment deployment = new Deployment(ID, "http://127.0.0.1:9080", 1_700_000_000_000L, 1, List.of(), null,
                new ServiceProtocol(7, 5, 7, "BIDI_STREAM", true, 4, "restate-sdk-typescript/1.17.2"));

        JsonNode shown = AdminJson.deploymentSummary(deployment);

        assertThat(shown.get("protocol_type").asText()).isEqualTo("BidiStream");
        assertThat(shown.get("http_version").asText()).isEqualTo("HTTP/2.0");
        assertThat(shown.get("min_protocol_version").asInt()).isEqualTo(5);
        assertThat(shown.get("max_protocol_version").asInt()).isEqualTo(7);
        assertThat(shown.get("protocol_version").asInt()).isEqualTo(7);
        assertThat(shown.get("sdk_version").asText()).isEqualTo("restate-sdk-typescript/1.17.2");
    }

    @Test
    void aPlainContractDeploymentIsShownAsBefore() {
        JsonNode shown = AdminJson.deploymentSummary(new Deployment(ID, "http://127.0.0.1:9080", 0, 1, List.of()));

        assertThat(shown.get("protocol_type").asText()).isEqualTo("RequestResponse");
        assertThat(shown.get("http_version").asText()).isEqualTo("HTTP/1.1");
        assertThat(shown.has("min_protocol_version")).isFalse();
        assertThat(shown.has("sdk_version")).isFalse();
    }

    @Test
    void theProtocolSurvivesTheDeploymentsTopicsJsonAndOldRecordsHaveNone() throws Exception {
        ServiceProtocol protocol = new ServiceProtocol(6, 5, 6, "REQUEST_RESPONSE", false, 3, null);
        Deployment deployment = new Deployment(ID, "http://h:1", 1, 2, List.of(), "k".repeat(32), protocol);

        Deployment read = Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(deployment), Deployment.class);
        Deployment old = Json.MAPPER.readValue(
                "{\"id\":\"" + ID + "\",\"uri\":\"http://h:1\",\"createdAt\":1,\"revision\":1,\"services\":[]}",
                Deployment.class);

        assertThat(read).isEqualTo(deployment);
        assertThat(read.speaksServiceProtocol()).isTrue();
        assertThat(old.protocol()).isNull();
        assertThat(old.speaksServiceProtocol()).isFalse();
    }
}
