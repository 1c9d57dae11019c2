package dev.ferry.server;

import dev.restate.sdk.endpoint.Endpoint;
import dev.restate.sdk.http.vertx.RestateHttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Services written with Restate's Java SDK ({@code dev.restate:sdk-java-http}; the service definitions are generated
 * from their annotations by {@code sdk-api-gen} at test compile), served in the test JVM by the SDK's own HTTP server,
 * {@link RestateHttpServer} on Vert.x, on a free port of 127.0.0.1. Vert.x's server takes HTTP/1.1 and HTTP/2
 * cleartext (prior knowledge and upgrade) on the one port.
 */
final class JavaSdkService implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;

    private final List<Object> services;
    private Vertx vertx;
    private HttpServer server;

    /** The services to bind, instances of classes annotated with {@code @Service}, {@code @VirtualObject}... */
    JavaSdkService(Object... services) {
        this.services = List.of(services);
    }

    /** Binds the services and listens; returns once the port is open. */
    JavaSdkService start() {
        Endpoint.Builder endpoint = Endpoint.builder();
        services.forEach(endpoint::bind);
        vertx = Vertx.vertx();
        try {
            server = RestateHttpServer.fromEndpoint(vertx, endpoint.build(),
                    new HttpServerOptions().setHost("127.0.0.1").setPort(0));
            server.listen().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the Java SDK's HTTP server did not start", e);
        }
        return this;
    }

    int port() {
        return server.actualPort();
    }

    /** The deployment's URI, as {@code POST /deployments} takes it. */
    String uri() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        if (vertx != null) {
            try {
                // Closes the HTTP server with it.
                vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the Java SDK's Vert.x did not close", e);
            } finally {
                vertx = null;
            }
        }
    }
}
