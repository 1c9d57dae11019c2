package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.server.javasdk.JavaCounter;
import dev.ferry.server.javasdk.JavaGreeter;
import dev.ferry.server.javasdk.JavaSteps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Services written with Restate's Java SDK 2.4.0 ({@code dev.restate:sdk-java-http}, served in this JVM by the SDK's
 * own Vert.x server: {@link JavaSdkService}) are registered through {@code POST /deployments} as a Restate user would,
 * and called through Ferry's ingress: the README's Greeter and Counter as {@link JavaGreeter} and {@link JavaCounter},
 * and {@link JavaSteps}, whose {@code ctx.run} closure must run once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JavaSdkIT {
    /** What the Java SDK 2.4.0 announces: service protocol versions 5 and 6 (Ferry speaks 5 to 7). */
    private static final int SDK_MIN_PROTOCOL = 5;
    private static final int SDK_MAX_PROTOCOL = 6;

    private FerryHarness ferry;
    private JavaSdkService sdk;
    private JsonNode deployment;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        sdk = new JavaSdkService(new JavaGreeter(), new JavaCounter(), new JavaSteps()).start();
        Http.Response response = ferry.admin().postJson("/deployments", "{\"uri\":\"" + sdk.uri() + "\"}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode registration = Json.MAPPER.readTree(response.body());
        assertThat(registration.get("services")).extracting(s -> s.get("name").asText())
                .containsExactlyInAnyOrder("JavaGreeter", "JavaCounter", "JavaSteps");
        Http.Response detail = ferry.admin().get("/deployments/" + registration.get("id").asText());
        assertThat(detail.status()).as(detail.toString()).isEqualTo(200);
        deployment = Json.MAPPER.readTree(detail.body());
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

    private Http.Response call(String path, String json) {
        return ferry.ingress().postJson(path, json);
    }

    @Test
    void theDeploymentShowsWhatTheJavaSdkAnnounced() throws IOException {
        // Vert.x speaks HTTP/1.1 and h2c on one port; Ferry asks HTTP/1.1 first, so the SDK answers in
        // request-response mode (it offers BIDI_STREAM only to a request that came over HTTP/2).
        assertThat(deployment.get("uri").asText()).as(deployment.toString()).isEqualTo(sdk.uri());
        assertThat(deployment.get("http_version").asText()).isEqualTo("HTTP/1.1");
        assertThat(deployment.get("protocol_type").asText()).isEqualTo("RequestResponse");
        assertJavaSdkManifest(deployment);

        String id = deployment.get("id").asText();
        JsonNode listed = Json.MAPPER.readTree(ferry.admin().get("/services").body()).get("services");
        assertThat(listed).filteredOn(s -> s.get("deployment_id").asText().equals(id))
                .extracting(s -> s.get("name").asText())
                .containsExactlyInAnyOrder("JavaGreeter", "JavaCounter", "JavaSteps");
    }

    @Test
    void overHttp2WithPriorKnowledgeTheJavaSdkAnnouncesBidiStream() throws Exception {
        // A Ferry of its own: registering the same services again here would move them to a second deployment.
        try (FerryHarness h2Ferry = FerryHarness.onSharedKafka().start();
                JavaSdkService h2Sdk = new JavaSdkService(new JavaGreeter(), new JavaCounter(), new JavaSteps())
                        .start()) {
            Http.Response response = h2Ferry.admin().postJson("/deployments",
                    "{\"uri\":\"" + h2Sdk.uri() + "\",\"use_http_11\":false}");
            assertThat(response.status()).as(response.toString()).isEqualTo(201);
            JsonNode h2 = Json.MAPPER.readTree(h2Ferry.admin().get("/deployments/"
                    + Json.MAPPER.readTree(response.body()).get("id").asText()).body());

            assertThat(h2.get("http_version").asText()).as(h2.toString()).isEqualTo("HTTP/2.0");
            assertThat(h2.get("protocol_type").asText()).isEqualTo("BidiStream");
            assertJavaSdkManifest(h2);

            // Ferry drives BIDI_STREAM deployments in request-response over HTTP/2.
            Http.Response greeting = h2Ferry.ingress().postJson("/JavaGreeter/greet", "{\"name\":\"Ada\"}");
            assertThat(greeting.status()).as(greeting.toString()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(greeting.body()))
                    .isEqualTo(Json.MAPPER.readTree("{\"greeting\":\"Hello Ada\",\"name\":\"Ada\"}"));
        }
    }

    /** What Restate's Java SDK 2.4.0 announces whatever the HTTP version: protocol versions, SDK, services. */
    private static void assertJavaSdkManifest(JsonNode deployment) {
        assertThat(deployment.get("min_protocol_version").asInt()).as(deployment.toString()).isEqualTo(SDK_MIN_PROTOCOL);
        assertThat(deployment.get("max_protocol_version").asInt()).isEqualTo(SDK_MAX_PROTOCOL);
        assertThat(deployment.get("protocol_version").asInt()).isEqualTo(SDK_MAX_PROTOCOL);
        assertThat(deployment.get("sdk_version").asText()).startsWith("restate-sdk-java/2.4.0");

        JsonNode services = deployment.get("services");
        assertThat(services).extracting(s -> s.get("name").asText() + ":" + s.get("ty").asText())
                .containsExactlyInAnyOrder("JavaGreeter:Service", "JavaCounter:VirtualObject", "JavaSteps:Service");
        // Handlers of a plain service have no type (as in Restate's admin API); an object's are Exclusive or Shared.
        assertThat(handlers(services, "JavaGreeter")).containsExactly("greet:null");
        assertThat(handlers(services, "JavaCounter")).containsExactlyInAnyOrder("add:Exclusive", "get:Shared");
        assertThat(handlers(services, "JavaSteps")).containsExactly("run:null");
        // The SDK derives JSON schemas from the handlers' Java types; Ferry keeps them.
        JsonNode counterAdd = service(services, "JavaCounter").get("handlers").findValue("input_json_schema");
        assertThat(counterAdd.get("type").asText()).isEqualTo("integer");
        JsonNode greet = service(services, "JavaGreeter").get("handlers").get(0);
        assertThat(greet.get("input_json_schema").get("properties").has("name")).isTrue();
        assertThat(greet.get("output_json_schema").get("properties").has("greeting")).isTrue();
    }

    private static JsonNode service(JsonNode services, String name) {
        for (JsonNode service : services) {
            if (service.get("name").asText().equals(name)) {
                return service;
            }
        }
        throw new AssertionError("no service " + name + " in " + services);
    }

    /** The handlers of {@code name} as {@code handler:ty}, {@code null} for a handler without a type. */
    private static List<String> handlers(JsonNode services, String name) {
        List<String> handlers = new ArrayList<>();
        service(services, name).get("handlers").forEach(h -> handlers.add(h.get("name").asText() + ":"
                + (h.hasNonNull("ty") ? h.get("ty").asText() : "null")));
        return handlers;
    }

    @Test
    void theJavaGreeterAnswers() throws IOException {
        Http.Response response = call("/JavaGreeter/greet", "{\"name\":\"Mary\"}");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body()))
                .isEqualTo(Json.MAPPER.readTree("{\"greeting\":\"Hello Mary\",\"name\":\"Mary\"}"));
    }

    @Test
    void theJavaCounterAddsUpPerKey() {
        assertAnswer(call("/JavaCounter/mary/add", "1"), "1");
        assertAnswer(call("/JavaCounter/mary/add", "2"), "3");
        assertAnswer(call("/JavaCounter/bob/add", "10"), "10");
        // get takes no input: the Java SDK announces none, and then a content-type is refused (400), as by Restate.
        assertAnswer(ferry.ingress().post("/JavaCounter/mary/get", new byte[0]), "3");
        assertAnswer(ferry.ingress().post("/JavaCounter/nobody/get", new byte[0]), "0");
        Http.Response withContentType = call("/JavaCounter/mary/get", "");
        assertThat(withContentType.status()).as(withContentType.toString()).isEqualTo(400);
    }

    private static void assertAnswer(Http.Response response, String body) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void aJavaRunClosureRunsOnce() {
        Http.Response response = call("/JavaSteps/run", "\"abc\"");

        assertAnswer(response, "31"); // 10 * "abc".length() from the step, + 1 after it
        assertThat(JavaSteps.executions("abc")).isEqualTo(1);
        // In request-response mode the SDK cannot be told in the same exchange that its run result was journaled:
        // it suspends, and Ferry calls it again with the journal, which replays the result instead of the closure.
        assertThat(JavaSteps.entries("abc")).isGreaterThanOrEqualTo(2);
    }
}
