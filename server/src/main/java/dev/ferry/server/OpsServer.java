package dev.ferry.server;

import dev.ferry.ingress.AdminAuth;
import io.helidon.webserver.WebServer;

/**
 * The admin port of a process without the ingress role (a processor or dispatcher on its own): health checks and
 * metrics only, so orchestrators and Prometheus reach every process the same way.
 */
final class OpsServer implements AutoCloseable {
    private final WebServer server;

    OpsServer(String host, int port, OpsRoutes ops, String adminToken) {
        server = WebServer.builder()
                // Ferry stops its servers itself, after open calls drained (FerryServer.shutdown); Helidon's own
                // hook would stop them at once, cutting off callers still waiting for their answer.
                .shutdownHook(false)
                .host(host)
                .port(port)
                .routing(routing -> {
                    if (adminToken != null) {
                        routing.addFilter(new AdminAuth(adminToken));
                    }
                    ops.routes(routing);
                })
                .build();
    }

    void start() {
        server.start();
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
