package dev.ferry.ingress;

import dev.ferry.http.HelidonMappers;
import dev.ferry.http.HttpErrors;
import dev.ferry.schemas.RecordLimits;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;

/** The HTTP server of the ingress (port 8080). Every request runs on its own virtual thread. */
public final class IngressServer implements AutoCloseable {
    private final WebServer server;

    public IngressServer(String host, int port, IngressSettings settings, IngressRoutes routes) {
        HelidonMappers.install();
        // Idempotency keys travel in a header and object keys in the request line: Restate accepts keys of 60 000
        // characters, Helidon's defaults stop at 16 KiB of headers and 2 KiB of request line.
        Http1Config http1 = Http1Config.builder().maxHeadersSize(RecordLimits.MAX_HEADER_BYTES)
                .maxPrologueLength(RecordLimits.MAX_KEY_BYTES).build();
        server = WebServer.builder()
                // Ferry stops its servers itself, after open calls drained (FerryServer.shutdown); Helidon's own
                // hook would stop them at once, cutting off callers still waiting for their answer.
                .shutdownHook(false)
                .host(host)
                .port(port)
                .addProtocol(http1)
                .maxPayloadSize(settings.maxBodyBytes())
                .directHandlers(HttpErrors.bodyLimitHandlers())
                .routing(routing -> {
                    routes.routes(routing);
                    HttpErrors.install(routing, HttpErrors.Shape.INGRESS, Cors::decorate);
                })
                .build();
    }

    public IngressServer start() {
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
