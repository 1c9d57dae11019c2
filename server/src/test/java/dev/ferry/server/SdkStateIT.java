package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The state that services written with Restate's TypeScript SDK keep in Ferry, read through the admin API
 * ({@code GET /services/{service}/state/{key}}) after real traffic: the README's Counter and Signup, run by Node 22
 * ({@link SdkService}) on Ferry on the test broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkStateIT {
    private FerryHarness ferry;
    private SdkService sdk;
    private Http admin;

    @BeforeAll
    void start() throws Exception {
        SdkService.kit(); // installs Node 22 and the SDK if .ci/run did not
        ferry = FerryHarness.onSharedKafka().start();
        sdk = SdkService.start("readme-services.cjs", SdkService.Transport.HTTP_1_1);
        Http.Response registered = ferry.admin().postJson("/deployments", "{\"uri\":\"" + sdk.uri() + "\"}");
        assertThat(registered.status()).as(registered + " / SDK log: " + sdk.output()).isEqualTo(201);
        admin = ferry.admin();
    }

    @AfterAll
    void stop() throws Exception {
        if (sdk != null) {
            sdk.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    private static JsonNode json(Http.Response response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Http.Response call(String path, String body) {
        Http.Response response = ferry.ingress().postJson(path, body);
        assertThat(response.status()).as(response + " / SDK log: " + sdk.output()).isIn(200, 202);
        return response;
    }

    @Test
    void aCountersStateIsWhatItsHandlerSetAsSoonAsTheCallAnswered() {
        call("/Counter/mary/add", "1");
        assertThat(call("/Counter/mary/add", "41").body()).isEqualTo("42");

        Http.Response state = admin.get("/services/Counter/state/mary");

        assertThat(state.status()).as(state.toString()).isEqualTo(200);
        assertThat(state.body())
                .isEqualTo("{\"service_name\":\"Counter\",\"service_key\":\"mary\",\"state\":[{\"key\":\"count\",\"value\":42}]}");
        assertThat(json(admin.get("/services/Counter/state/nobody")).get("state")).as("a key never called").isEmpty();
    }

    @Test
    void aWorkflowsStateFollowsItsRunAndItsKeyIsTheWorkflowId() {
        call("/Signup/run-a%2F1/run/send", "{\"email\":\"a@example.com\"}");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode state = json(admin.get("/services/Signup/state/run-a%2F1"));
            assertThat(state.get("service_key").asText()).isEqualTo("run-a/1");
            assertThat(state.get("state")).hasSize(2);
            assertThat(state.get("state").get(0).get("key").asText()).isEqualTo("input");
            assertThat(state.get("state").get(0).get("value"))
                    .isEqualTo(Json.MAPPER.readTree("{\"email\":\"a@example.com\"}"));
            assertThat(state.get("state").get(1).get("key").asText()).isEqualTo("status");
            assertThat(state.get("state").get(1).get("value").asText()).isEqualTo("waiting");
        });

        call("/Signup/run-a%2F1/approve", "true");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                json(admin.get("/services/Signup/state/run-a%2F1")).get("state").get(1).get("value").asText())
                .isEqualTo("done"));
    }

    @Test
    void aStatelessSdkServiceHasNoState() {
        assertThat(admin.get("/services/Greeter/state/mary").status()).isEqualTo(400);
    }
}
