package dev.ferry.admin;

import dev.ferry.http.FerryVersion;
import dev.ferry.http.HttpAnswers;
import dev.ferry.schemas.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The UI on the admin port: static files from this module's {@code ui/} resources (plain HTML, CSS and JavaScript,
 * no build step), {@code GET /} redirecting to {@code /ui/} as Restate's does, and {@code GET /version} telling
 * the UI (and anyone) which build of Ferry this is and where the ingress answers. The redirects are relative
 * and the pages ask for everything relatively, so the UI works under a path prefix behind a reverse proxy
 * ({@code https://host/ferry/ui/}).
 */
public final class UiPages implements HttpService {
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    private final IntSupplier ingressPort;
    private final String publicIngressUrl;

    /**
     * @param ingressPort the port the ingress listens on, known once the server has started
     * @param publicIngressUrl the ingress as clients reach it ({@code FERRY_PUBLIC_INGRESS_URL}, no trailing slash);
     *     null: the host the admin was reached on, with the ingress port
     */
    public UiPages(IntSupplier ingressPort, String publicIngressUrl) {
        this.ingressPort = ingressPort;
        this.publicIngressUrl = publicIngressUrl;
    }

    @Override
    public void routing(HttpRules rules) {
        // Relative to the request's URL, "ui/" is /ui/ from both / and /ui, and /ferry/ui/ behind a proxy that
        // serves the admin at /ferry/ (RFC 9110, section 10.2.2, allows a relative Location).
        rules.get("/", (req, res) -> redirectToUi(res))
                .get("/version", this::version)
                .get("/ui", (req, res) -> redirectToUi(res))
                .get("/ui/*", this::file);
    }

    private static void redirectToUi(ServerResponse res) {
        res.status(Status.PERMANENT_REDIRECT_308);
        res.header(HeaderNames.LOCATION, "ui/");
        res.send();
    }

    /**
     * Restate's {@code /version} fields ({@code version}, {@code ingress_endpoint}) with Ferry's version in
     * {@code version}, and the commit it was built from. {@code public_ingress_url} is there only when set: without
     * it the UI uses its own host and the port.
     */
    private void version(ServerRequest req, ServerResponse res) {
        String host = req.requestedUri().host();
        FerryVersion build = FerryVersion.current();
        var body = Json.MAPPER.createObjectNode()
                .put("version", build.version())
                .put("commit", build.commit())
                .put("ingress_port", ingressPort.getAsInt())
                .put("ingress_endpoint", publicIngressUrl != null ? publicIngressUrl + "/"
                        : "http://" + host + ":" + ingressPort.getAsInt() + "/");
        if (publicIngressUrl != null) {
            body.put("public_ingress_url", publicIngressUrl);
        }
        HttpAnswers.json(res, 200, body);
    }

    private void file(ServerRequest req, ServerResponse res) {
        String path = req.path().path().substring("/ui/".length());
        if (path.isEmpty()) {
            path = "index.html";
        }
        if (path.contains("..") || path.contains("//")) {
            res.status(Status.NOT_FOUND_404).send();
            return;
        }
        try (InputStream file = UiPages.class.getResourceAsStream("/ui/" + path)) {
            if (file == null) {
                res.status(Status.NOT_FOUND_404).send();
                return;
            }
            String extension = path.substring(path.lastIndexOf('.') + 1);
            res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"));
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.send(file.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
