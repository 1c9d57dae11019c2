package dev.ferry.admin;

import dev.ferry.http.HelidonMappers;
import dev.ferry.http.HttpErrors;
import io.helidon.webserver.WebServer;
import java.util.List;

/**
 * The HTTP server of the admin port (9070): the admin API, the UI and OpenAPI on a process with the ingress role;
 * health checks and metrics on every process. Every request runs on its own virtual thread.
 */
public final class AdminServer implements AutoCloseable {
    private final WebServer server;

    /**
     * @param allowedOrigins origins besides the admin's own whose pages may call the admin API, or {@code *}
     *     ({@link AdminCrossSiteGuard})
     * @param token the bearer token every request must carry; null for none
     */
    public AdminServer(String host, int port, long maxBodyBytes, List<String> allowedOrigins, String token,
            AdminRoutes routes) {
        HelidonMappers.install();
        var builder = WebServer.builder()
                // Ferry stops its servers itself, after open calls drained (FerryServer.shutdown); Helidon's own
                // hook would stop them at once, cutting off callers still waiting for their answer.
                .shutdownHook(false)
                .host(host)
                .port(port);
        if (routes.servesApi()) {
            builder.maxPayloadSize(maxBodyBytes).directHandlers(HttpErrors.bodyLimitHandlers());
        }
        server = builder.routing(routing -> {
                    if (routes.servesApi()) {
                        routing.addFilter(new AdminCrossSiteGuard(allowedOrigins));
                    }
                    if (token != null) {
                        routing.addFilter(new AdminAuth(token));
                    }
                    routes.routes(routing);
                    if (routes.servesApi()) {
                        HttpErrors.install(routing, HttpErrors.Shape.ADMIN, (req, res) -> { });
                    }
                })
                .build();
    }

    public AdminServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
