package dev.ferry.admin;

import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.RegistryView;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.IntSupplier;

/**
 * Serves the OpenAPI documents: one per service on the admin port ({@code GET /services/{name}/openapi}, as Restate
 * does) and all services in one on the ingress ({@code GET /openapi}, where Restate has only a stub).
 */
public final class OpenApiRoutes {
    private final RegistryView registry;
    private final IntSupplier ingressPort;

    public OpenApiRoutes(RegistryView registry, IntSupplier ingressPort) {
        this.registry = registry;
        this.ingressPort = ingressPort;
    }

    /** {@code GET /services/{name}/openapi} on the admin port. */
    public void service(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        RegisteredService service = registry.registry().service(name).orElseThrow(() ->
                HttpError.of(404, "The requested service '" + name + "' does not exist"));
        send(res, OpenApiDocuments.toJson(OpenApiDocuments.forService(service, ingressUrl(req), adminUrl(req))));
    }

    /** {@code GET /openapi} on the ingress. */
    public void all(ServerRequest req, ServerResponse res) {
        send(res, OpenApiDocuments.toJson(OpenApiDocuments.forAll(registry.registry(), ingressUrl(req))));
    }

    /** The admin API as the caller reaches it. */
    private static String adminUrl(ServerRequest req) {
        return "http://" + req.requestedUri().host() + ":" + req.requestedUri().port() + "/";
    }

    /** The ingress as the caller reaches this host. */
    private String ingressUrl(ServerRequest req) {
        return "http://" + req.requestedUri().host() + ":" + ingressPort.getAsInt() + "/";
    }

    private static void send(ServerResponse res, String json) {
        res.header(HeaderNames.CONTENT_TYPE, HttpAnswers.APPLICATION_JSON);
        res.send(json);
    }
}
