package dev.ferry.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ingress on a free port, as {@code IngressRole} wires it, with a {@link FakeProcessorClient} in place of Kafka
 * and a registry built in memory: Greeter (a service), Counter (a virtual object) and Signup (a workflow).
 */
final class IngressUnderTest implements AutoCloseable {
    static final String OPENAPI_STAND_IN = "{\"openapi\":\"stand-in\"}";

    final FakeProcessorClient processor = new FakeProcessorClient();
    private final AtomicReference<String> notReady = new AtomicReference<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final IngressServer server;

    IngressUnderTest() {
        this(IngressSettings.DEFAULT_MAX_BODY_BYTES);
    }

    /** @param maxBodyBytes the body limit, over which requests are answered 413 */
    IngressUnderTest(long maxBodyBytes) {
        this(registry(), maxBodyBytes);
    }

    /** With the services of {@code services} in place of Greeter, Counter and Signup. */
    IngressUnderTest(Registry services) {
        this(services, IngressSettings.DEFAULT_MAX_BODY_BYTES);
    }

    private IngressUnderTest(Registry services, long maxBodyBytes) {
        RegistryView registry = RegistryView.fixed(services);
        IngressRoutes routes = new IngressRoutes(
                new Invocations(registry, processor, ServiceSettings.DEFAULTS),
                new Attachments(registry, processor),
                (req, res) -> res.send(OPENAPI_STAND_IN),
                registry, new SimpleMeterRegistry(), notReady::get);
        server = new IngressServer("127.0.0.1", 0, new IngressSettings(maxBodyBytes), routes)
                .start();
    }

    static Registry registry() {
        return Registry.EMPTY.with(new Deployment("dp_1" + "0".repeat(22), "http://localhost:9080", 0, 1, List.of(
                service("Greeter", ServiceType.SERVICE, handler("greet", null), handler("noop", null)),
                service("Counter", ServiceType.VIRTUAL_OBJECT,
                        handler("add", HandlerType.EXCLUSIVE), handler("get", HandlerType.SHARED)),
                service("Signup", ServiceType.WORKFLOW,
                        handler("run", HandlerType.WORKFLOW), handler("status", HandlerType.SHARED)))), 0);
    }

    /** Clears what the processor recorded and makes Ferry ready again. */
    void reset() {
        processor.reset();
        notReady.set(null);
    }

    /** From now on Ferry cannot serve, for this reason. */
    void notReady(String reason) {
        notReady.set(reason);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    HttpResponse<String> postJson(String path, String json, String... headers) {
        return send(request(path, headers).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> post(String path, byte[] body, String... headers) {
        return send(request(path, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** A POST as curl sends a large one, with {@code Expect: 100-continue}, so a refusal comes before the body. */
    HttpResponse<String> postExpectingContinue(String path, byte[] body, String... headers) {
        return send(request(path, headers).expectContinue(true).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    HttpResponse<String> method(String method, String path, String body, String... headers) {
        return send(request(path, headers).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }

    private static ServiceManifest service(String name, ServiceType type, HandlerManifest... handlers) {
        return new ServiceManifest(name, null, type, List.of(handlers),
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static HandlerManifest handler(String name, HandlerType type) {
        return new HandlerManifest(name, null, type, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
