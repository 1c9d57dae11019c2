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
 * does), all services in one on the ingress ({@code GET /openapi}, where Restate has only a stub), and the admin
 * API's own additions on the admin port ({@code GET /openapi}).
 */
public final class OpenApiRoutes {
    private final RegistryView registry;
    private final IntSupplier ingressPort;
    private final String publicIngressUrl;

    /**
     * @param publicIngressUrl the ingress as clients reach it ({@code FERRY_PUBLIC_INGRESS_URL}, no trailing slash);
     *     null: the host the caller reached, with the ingress port
     */
    public OpenApiRoutes(RegistryView registry, IntSupplier ingressPort, String publicIngressUrl) {
        this.registry = registry;
        this.ingressPort = ingressPort;
        this.publicIngressUrl = publicIngressUrl;
    }

    /** {@code GET /services/{name}/openapi} on the admin port. */
    public void service(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        RegisteredService service = registry.registry().service(name).orElseThrow(() ->
                HttpError.of(404, "The requested service '" + name + "' does not exist"));
        send(res, OpenApiDocuments.toJson(OpenApiDocuments.forService(service, ingressUrl(req), adminUrl(req))));
    }

    /** {@code GET /openapi} on the admin port: what the admin API has beyond Restate's. */
    public void admin(ServerRequest req, ServerResponse res) {
        send(res, OpenApiDocuments.toJson(OpenApiDocuments.forAdmin(adminUrl(req))));
    }

    /** {@code GET /openapi} on the ingress. */
    public void all(ServerRequest req, ServerResponse res) {
        send(res, OpenApiDocuments.toJson(OpenApiDocuments.forAll(registry.registry(), ingressUrl(req))));
    }

    /** The admin API as the caller reaches it. */
    private static String adminUrl(ServerRequest req) {
        return "http://" + req.requestedUri().host() + ":" + req.requestedUri().port() + "/";
    }

    /** The ingress as clients reach it: its public URL, or as the caller reaches this host. */
    private String ingressUrl(ServerRequest req) {
        if (publicIngressUrl != null) {
            return publicIngressUrl + "/";
        }
        return "http://" + req.requestedUri().host() + ":" + ingressPort.getAsInt() + "/";
    }

    private static void send(ServerResponse res, String json) {
        res.header(HeaderNames.CONTENT_TYPE, HttpAnswers.APPLICATION_JSON);
        res.send(json);
    }
}
