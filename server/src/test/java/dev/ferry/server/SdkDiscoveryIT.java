package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Services written with Restate's TypeScript SDK 1.17.2 (the real one, from npm, run by Node 22: {@link SdkService})
 * are registered through {@code POST /deployments} as a Restate user would: served the SDK's default way, over HTTP/2
 * cleartext, and over HTTP/1.1. Ferry asks for Restate's manifest, negotiates the protocol version, and shows the
 * services. {@link SdkRuntimeIT} runs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkDiscoveryIT {
    private static final String MODULE = "readme-services.cjs";

    private FerryHarness ferry;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        SdkService.kit(); // installs Node 22 and the SDK if .ci/run did not
        ferry = FerryHarness.onSharedKafka().start();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        ferry.close();
    }

    @Test
    void theReadmeServicesServedByRestateServeOverH2cAreRegisteredAndListed() throws IOException {
        SdkService sdk = sdk(SdkService.Transport.H2C);

        JsonNode deployment = registered(sdk);

        assertThat(deployment.get("http_version").asText()).isEqualTo("HTTP/2.0");
        assertThat(deployment.get("protocol_type").asText()).isEqualTo("BidiStream");
        assertReadmeServices(sdk, deployment);
    }

    @Test
    void theReadmeServicesServedOverHttp11AreRegisteredAndListed() throws IOException {
        SdkService sdk = sdk(SdkService.Transport.HTTP_1_1);

        JsonNode deployment = registered(sdk);

        assertThat(deployment.get("http_version").asText()).isEqualTo("HTTP/1.1");
        assertThat(deployment.get("protocol_type").asText()).isEqualTo("RequestResponse");
        assertReadmeServices(sdk, deployment);
    }

    @Test
    void useHttp11TrueAgainstAnH2cOnlySdkIsA400ThatSaysWhy() {
        SdkService sdk = sdk(SdkService.Transport.H2C);

        Http.Response response = ferry.admin().postJson("/deployments",
                "{\"uri\":\"" + sdk.uri() + "\",\"use_http_11\":true}");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("META0003").contains(sdk.uri() + "/discover");
    }

    @Test
    void aServiceThatSpeaksNoProtocolVersionFerryKnowsIsA400AtRegistration() throws Exception {
        HttpServer old = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        old.createContext("/discover", exchange -> {
            byte[] body = """
                    {"minProtocolVersion":1,"maxProtocolVersion":4,"protocolMode":"REQUEST_RESPONSE",
                     "services":[{"name":"OldGreeter","ty":"SERVICE","handlers":[{"name":"greet"}]}]}"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/vnd.restate.endpointmanifest.v2+json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        old.start();
        open.add(() -> old.stop(0));
        String uri = "http://127.0.0.1:" + old.getAddress().getPort();

        Http.Response response = ferry.admin().postJson("/deployments", "{\"uri\":\"" + uri + "\"}");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(response.body());
        assertThat(error.get("message").asText()).isEqualTo("[META0012] the service endpoint '" + uri
                + "/discover' cannot be registered: the service speaks protocol versions 1 to 4; Ferry speaks 5 to 7."
                + " Use an SDK version that speaks one of Ferry's protocol versions.");
        assertThat(ferry.admin().get("/services/OldGreeter").status()).isEqualTo(404);
    }

    private SdkService sdk(SdkService.Transport transport) {
        SdkService sdk = SdkService.start(MODULE, transport);
        open.add(sdk);
        return sdk;
    }

    /** Registers the SDK's endpoint; returns the deployment as {@code GET /deployments/{id}} shows it. */
    private JsonNode registered(SdkService sdk) throws IOException {
        Http.Response response = ferry.admin().postJson("/deployments", "{\"uri\":\"" + sdk.uri() + "\"}");
        assertThat(response.status()).as(response + " / SDK log: " + sdk.output()).isEqualTo(201);
        JsonNode registration = Json.MAPPER.readTree(response.body());
        assertThat(registration.get("services")).extracting(s -> s.get("name").asText())
                .containsExactly("Greeter", "Counter", "Signup");
        Http.Response detail = ferry.admin().get("/deployments/" + registration.get("id").asText());
        assertThat(detail.status()).as(detail.toString()).isEqualTo(200);
        return Json.MAPPER.readTree(detail.body());
    }

    private void assertReadmeServices(SdkService sdk, JsonNode deployment) throws IOException {
        assertThat(deployment.get("uri").asText()).isEqualTo(sdk.uri());
        assertThat(deployment.get("min_protocol_version").asInt()).isEqualTo(5);
        assertThat(deployment.get("max_protocol_version").asInt()).isEqualTo(7);
        assertThat(deployment.get("protocol_version").asInt()).isEqualTo(7);
        assertThat(deployment.get("sdk_version").asText()).isEqualTo("restate-sdk-typescript/1.17.2");
        JsonNode services = deployment.get("services");
        assertThat(services).extracting(s -> s.get("name").asText() + ":" + s.get("ty").asText())
                .containsExactly("Greeter:Service", "Counter:VirtualObject", "Signup:Workflow");
        assertThat(services.get(1).get("handlers")).extracting(h -> h.get("name").asText() + ":" + h.get("ty").asText())
                .containsExactlyInAnyOrder("add:Exclusive", "get:Shared");
        assertThat(services.get(2).get("handlers")).extracting(h -> h.get("name").asText() + ":" + h.get("ty").asText())
                .containsExactlyInAnyOrder("run:Workflow", "approve:Shared", "status:Shared");

        String id = deployment.get("id").asText();
        JsonNode listed = Json.MAPPER.readTree(ferry.admin().get("/services").body()).get("services");
        assertThat(listed).filteredOn(s -> s.get("deployment_id").asText().equals(id))
                .extracting(s -> s.get("name").asText())
                .containsExactlyInAnyOrder("Greeter", "Counter", "Signup");
    }
}
