package dev.ferry.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.ServiceOverrides;
import dev.ferry.registry.ServiceSetting;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.results.ResultTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * The admin API on a free port, as {@code AdminRole} wires it, with a {@link FakeProcessorClient} in place of Kafka
 * and a registry built in memory: one deployment serving Greeter (a service), Counter (a virtual object) and Signup
 * (a workflow), with an operator's {@code max_wait} on Greeter.
 *
 * <p>There is no {@code RegistryWriter}: these tests change nothing in the registry, so a request that would write
 * to it fails (500) rather than pass unnoticed.
 */
final class AdminUnderTest implements AutoCloseable {
    static final String DEPLOYMENT_ID = "dp_1" + "0".repeat(22);
    static final String DEPLOYMENT_URI = "http://localhost:9080";
    static final int INGRESS_PORT = 8080;

    final FakeProcessorClient processor = new FakeProcessorClient();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AdminServer server;

    AdminUnderTest() {
        this(null);
    }

    /** @param publicIngressUrl {@code FERRY_PUBLIC_INGRESS_URL}, or null */
    AdminUnderTest(String publicIngressUrl) {
        RegistryView registry = RegistryView.fixed(registry());
        ServiceSettings defaults = ServiceSettings.DEFAULTS;
        OpenApiRoutes openApi = new OpenApiRoutes(registry, () -> INGRESS_PORT, publicIngressUrl);
        AdminRoutes.Api api = new AdminRoutes.Api(
                new DeploymentsApi(registry, null, defaults, client),
                new ServicesApi(registry, null, defaults, openApi, processor),
                new InvocationsApi(processor),
                new SubscriptionsApi(registry, null, Map.of(), ResultTopics.parse("", new Topics("test."))),
                // No broker: a test that reads dead letters here gets 503, as when Kafka cannot be reached.
                new DeadLettersApi(Map.of("bootstrap.servers", "127.0.0.1:1"), "test.dead-letter"),
                openApi,
                new UiPages(() -> INGRESS_PORT, publicIngressUrl));
        AdminRoutes routes = new AdminRoutes(rules -> rules.get("/health", (req, res) -> res.send()), api);
        server = new AdminServer("127.0.0.1", 0, 1024 * 1024, List.of(), null, routes).start();
    }

    static Registry registry() {
        Deployment deployment = new Deployment(DEPLOYMENT_ID, DEPLOYMENT_URI, 1_700_000_000_000L, 1, List.of(
                service("Greeter", ServiceType.SERVICE, handler("greet", null), handler("noop", null)),
                service("Counter", ServiceType.VIRTUAL_OBJECT,
                        handler("add", HandlerType.EXCLUSIVE), handler("get", HandlerType.SHARED)),
                service("Signup", ServiceType.WORKFLOW,
                        handler("run", HandlerType.WORKFLOW), handler("status", HandlerType.SHARED))));
        ServiceOverrides greeterWaits = ServiceOverrides.none("Greeter").with(ServiceSetting.MAX_WAIT, 1_000L);
        return Registry.EMPTY.with(deployment, 0).with(greeterWaits);
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    /** A request with this method; a body goes as {@code application/json}, as the admin API asks of bodies. */
    HttpResponse<String> method(String method, String path, String body) {
        HttpRequest.Builder request = request(path);
        if (body == null) {
            return send(request.method(method, HttpRequest.BodyPublishers.noBody()));
        }
        return send(request.header("content-type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
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
