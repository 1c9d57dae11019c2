package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.http.HttpError;
import dev.ferry.protocol.ManifestVersion;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceProtocol;
import dev.ferry.schemas.deployments.ServiceType;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery of a service endpoint: what a Restate SDK's manifest becomes (services, handlers, schemas, the protocol
 * version Ferry negotiates, HTTP/2 or 1.1), what a plain JSON manifest stays, and the 400s for endpoints Ferry cannot
 * call. The endpoints are real HTTP servers on this machine: the JDK's (HTTP/1.1 only) and Helidon's (HTTP/1.1 and
 * HTTP/2 cleartext with prior knowledge on one port).
 */
class DiscoveryTest {
    /** What the TypeScript SDK 1.17.2 answers, trimmed to two services (observed, with one JSON Schema added). */
    static final String TS_MANIFEST = """
            {"minProtocolVersion":5,"maxProtocolVersion":7,"services":[
             {"name":"Greeter","ty":"SERVICE","handlers":[{"name":"greet",
               "input":{"required":false,"contentType":"application/json",
                        "jsonSchema":{"type":"object","properties":{"name":{"type":"string"}}}},
               "output":{"setContentTypeIfEmpty":false,"contentType":"application/json"}}]},
             {"name":"Counter","ty":"VIRTUAL_OBJECT","handlers":[
               {"name":"add","ty":"EXCLUSIVE","input":{"required":false,"contentType":"application/json"},
                "output":{"setContentTypeIfEmpty":false,"contentType":"application/json"}},
               {"name":"get","ty":"SHARED","input":{"required":false,"contentType":"application/json"},
                "output":{"setContentTypeIfEmpty":false,"contentType":"application/json"}}]}],
             "protocolMode":"%s"}""";
    static final String SDK = "restate-sdk-typescript/1.17.2";

    private final Discovery discovery = new Discovery(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    private final AtomicReference<String> accept = new AtomicReference<>();
    private HttpServer http11;
    private WebServer helidon;

    @AfterEach
    void stop() {
        if (http11 != null) {
            http11.stop(0);
        }
        if (helidon != null) {
            helidon.stop();
        }
    }

    @Test
    void aRestateSdkOverHttp11IsAskedForEveryManifestVersionAndSpeaksTheNewestProtocolVersionBothKnow() {
        URI uri = http11("application/vnd.restate.endpointmanifest.v4+json", TS_MANIFEST.formatted("REQUEST_RESPONSE"));

        Discovery.Discovered discovered = discovery.discover(uri, null);

        assertThat(accept.get()).isEqualTo(ManifestVersion.ACCEPT + ", application/json")
                .startsWith("application/vnd.restate.endpointmanifest.v4+json, ");
        assertThat(discovered.protocol())
                .isEqualTo(new ServiceProtocol(7, 5, 7, "REQUEST_RESPONSE", false, 4, SDK));
        assertThat(discovered.protocol().httpVersion()).isEqualTo("HTTP/1.1");
        assertThat(discovered.protocol().protocolType()).isEqualTo("RequestResponse");
    }

    @Test
    void theSdksManifestGivesServicesHandlersTheirTypesAndSchemas() {
        URI uri = http11("application/vnd.restate.endpointmanifest.v4+json", TS_MANIFEST.formatted("REQUEST_RESPONSE"));

        Discovery.Discovered discovered = discovery.discover(uri, true);

        assertThat(discovered.manifest().services()).extracting(ServiceManifest::name, ServiceManifest::ty)
                .containsExactly(tuple("Greeter", ServiceType.SERVICE),
                        tuple("Counter", ServiceType.VIRTUAL_OBJECT));
        ServiceManifest counter = discovered.manifest().services().get(1);
        assertThat(counter.handlers()).extracting(HandlerManifest::name, HandlerManifest::ty)
                .containsExactly(tuple("add", HandlerType.EXCLUSIVE),
                        tuple("get", HandlerType.SHARED));
        HandlerManifest greet = discovered.manifest().services().get(0).handler("greet");
        assertThat(greet.ty()).isNull();
        assertThat(greet.input().contentType()).isEqualTo("application/json");
        assertThat(greet.input().required()).isFalse();
        assertThat(greet.input().jsonSchema().toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}");
        assertThat(greet.output().contentType()).isEqualTo("application/json");
        assertThat(discovered.manifest().minProtocolVersion()).isEqualTo(5);
        assertThat(discovered.manifest().maxProtocolVersion()).isEqualTo(7);
    }

    @Test
    void useHttp11FalseAsksOverHttp2WithPriorKnowledgeAndTheDeploymentIsCalledOverHttp2() {
        URI uri = helidon("application/vnd.restate.endpointmanifest.v3+json", TS_MANIFEST.formatted("BIDI_STREAM"));

        Discovery.Discovered discovered = discovery.discover(uri, false);

        assertThat(discovered.protocol()).isEqualTo(new ServiceProtocol(7, 5, 7, "BIDI_STREAM", true, 3, SDK));
        assertThat(discovered.protocol().httpVersion()).isEqualTo("HTTP/2.0");
        assertThat(discovered.protocol().protocolType()).isEqualTo("BidiStream");
        assertThat(accept.get()).isEqualTo(Discovery.ACCEPT);
    }

    @Test
    void anEndpointThatSpeaksBothIsAskedOverHttp11UnlessUseHttp11IsFalse() {
        URI uri = helidon("application/vnd.restate.endpointmanifest.v4+json", TS_MANIFEST.formatted("REQUEST_RESPONSE"));

        assertThat(discovery.discover(uri, null).protocol().http2()).isFalse();
        assertThat(discovery.discover(uri, true).protocol().http2()).isFalse();
        assertThat(discovery.discover(uri, false).protocol().http2()).isTrue();
    }

    @Test
    void aPlainJsonManifestIsFerrysPlainContractAsBefore() {
        URI uri = http11("application/json", """
                {"services":[{"name":"Greeter","ty":"SERVICE","handlers":[{"name":"greet"}]}]}""");

        Discovery.Discovered discovered = discovery.discover(uri, null);

        assertThat(discovered.protocol()).isNull();
        assertThat(discovered.manifest().services()).extracting(ServiceManifest::name).containsExactly("Greeter");
    }

    @Test
    void aServiceThatSpeaksOnlyOlderProtocolVersionsIsRefusedWithTheRangesThatDoNotMeet() {
        URI uri = http11("application/vnd.restate.endpointmanifest.v2+json", TS_MANIFEST
                .formatted("REQUEST_RESPONSE").replace("\"minProtocolVersion\":5,\"maxProtocolVersion\":7",
                        "\"minProtocolVersion\":1,\"maxProtocolVersion\":4"));

        assertThatThrownBy(() -> discovery.discover(uri, null))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.restateCode()).isEqualTo("META0012");
                })
                .hasMessageContaining("[META0012] the service endpoint '" + uri + "/discover' cannot be registered")
                .hasMessageContaining("the service speaks protocol versions 1 to 4; Ferry speaks 5 to 7");
    }

    @Test
    void aServiceThatStopsAtVersion6SpeaksVersion6() {
        URI uri = http11("application/vnd.restate.endpointmanifest.v4+json", TS_MANIFEST
                .formatted("REQUEST_RESPONSE").replace("\"maxProtocolVersion\":7", "\"maxProtocolVersion\":6"));

        assertThat(discovery.discover(uri, null).protocol().version()).isEqualTo(6);
    }

    @Test
    void aRestateManifestWithoutProtocolModeOrVersionsIsNotValid() {
        URI noMode = http11("application/vnd.restate.endpointmanifest.v4+json",
                TS_MANIFEST.formatted("REQUEST_RESPONSE").replace(",\n \"protocolMode\":\"REQUEST_RESPONSE\"", ""));
        assertThatThrownBy(() -> discovery.discover(noMode, true)).isInstanceOf(HttpError.class)
                .hasMessageContaining("[META0014]").hasMessageContaining("missing protocol mode");
        stop();

        URI noVersions = http11("application/vnd.restate.endpointmanifest.v4+json", """
                {"services":[{"name":"Greeter","ty":"SERVICE","handlers":[{"name":"greet"}]}],
                 "protocolMode":"REQUEST_RESPONSE"}""");
        assertThatThrownBy(() -> discovery.discover(noVersions, true)).isInstanceOf(HttpError.class)
                .hasMessageContaining("[META0014]")
                .hasMessageContaining("minProtocolVersion and maxProtocolVersion are required");
    }

    @Test
    void a415SaysWhichManifestVersionsWereOfferedAndWhatTheEndpointSaid() {
        URI uri = http11(415, "application/json",
                "{\"message\":\"Unsupported service discovery protocol version 'application/json'\"}");

        assertThatThrownBy(() -> discovery.discover(uri, null)).isInstanceOf(HttpError.class)
                .hasMessage("[META0003] error when calling '" + uri + "/discover': the endpoint answered HTTP 415; it "
                        + "accepts none of the manifest versions Ferry reads (" + Discovery.ACCEPT + "): "
                        + "{\"message\":\"Unsupported service discovery protocol version 'application/json'\"}");
    }

    @Test
    void aRefusedConnectionIsReportedWithoutAnotherTry() {
        for (Boolean useHttp11 : new Boolean[] {null, true, false}) {
            assertThatThrownBy(() -> discovery.discover(URI.create("http://127.0.0.1:1"), useHttp11))
                    .isInstanceOf(HttpError.class)
                    .hasMessage("[META0003] error when calling 'http://127.0.0.1:1/discover': connection refused, "
                            + "is the service running?");
        }
    }

    private URI http11(String contentType, String manifest) {
        return http11(200, contentType, manifest);
    }

    private URI http11(int status, String contentType, String manifest) {
        try {
            http11 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http11.createContext("/discover", exchange -> {
            accept.set(exchange.getRequestHeaders().getFirst("accept"));
            byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", contentType);
            exchange.getResponseHeaders().add("x-restate-server", SDK);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http11.start();
        return URI.create("http://127.0.0.1:" + http11.getAddress().getPort());
    }

    private URI helidon(String contentType, String manifest) {
        helidon = WebServer.builder().host("127.0.0.1").port(0)
                .addProtocol(Http1Config.create())
                .addProtocol(Http2Config.create())
                .routing(routing -> routing.get("/discover", (req, res) -> {
                    accept.set(req.headers().first(HeaderNames.ACCEPT).orElse(null));
                    res.header(HeaderNames.CONTENT_TYPE, contentType);
                    res.header("x-restate-server", SDK);
                    res.send(manifest.getBytes(StandardCharsets.UTF_8));
                }))
                .build().start();
        return URI.create("http://127.0.0.1:" + helidon.port());
    }
}
