package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.RecordLimits;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the ingress role: the ingress on one port (8080) and the admin API on a second socket of
 * the same server (9070). Every request runs on its own virtual thread.
 */
public final class IngressServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngressServer.class);
    static final String ADMIN_SOCKET = "admin";

    private final WebServer server;

    public IngressServer(String host, int ingressPort, String adminHost, int adminPort, IngressSettings settings,
            Consumer<HttpRouting.Builder> ingressRoutes, Consumer<HttpRouting.Builder> adminRoutes) {
        DirectHandlers tooLarge = DirectHandlers.builder()
                // Helidon reports a body over the limit as a bad request with status 413.
                .addHandler(DirectHandler.EventType.BAD_REQUEST, IngressServer::badRequest)
                .addHandler(DirectHandler.EventType.PAYLOAD_TOO_LARGE, IngressServer::badRequest)
                .build();
        // Idempotency keys travel in a header and object keys in the request line: Restate accepts keys of 60 000
        // characters, Helidon's defaults stop at 16 KiB of headers and 2 KiB of request line.
        Http1Config http1 = Http1Config.builder().maxHeadersSize(RecordLimits.MAX_HEADER_BYTES)
                .maxPrologueLength(RecordLimits.MAX_KEY_BYTES).build();
        server = WebServer.builder()
                // Ferry stops its servers itself, after open calls drained (FerryServer.shutdown); Helidon's own
                // hook would stop them at once, cutting off callers still waiting for their answer.
                .shutdownHook(false)
                .host(host)
                .port(ingressPort)
                .addProtocol(http1)
                .maxPayloadSize(settings.maxBodyBytes())
                .directHandlers(tooLarge)
                .routing(routing -> {
                    ingressRoutes.accept(routing);
                    ingressErrors(routing);
                })
                .putSocket(ADMIN_SOCKET, socket -> socket.host(adminHost).port(adminPort)
                        .maxPayloadSize(settings.maxBodyBytes()).directHandlers(tooLarge))
                .routing(ADMIN_SOCKET, routing -> {
                    routing.addFilter(new AdminCrossSiteGuard(settings.adminAllowedOrigins()));
                    adminRoutes.accept(routing);
                    adminErrors(routing);
                })
                .build();
    }

    public void start() {
        server.start();
    }

    public int ingressPort() {
        return server.port();
    }

    public int adminPort() {
        return server.port(ADMIN_SOCKET);
    }

    private static void ingressErrors(HttpRouting.Builder routing) {
        routing.error(IngressError.class, (req, res, error) -> {
                    Cors.decorate(req, res);
                    Responses.error(res, error);
                })
                .error(RequestException.class, (req, res, error) -> {
                    Cors.decorate(req, res);
                    if (error.status().code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
                        tooLarge(res);
                    } else {
                        Responses.error(res, IngressError.ingress(error.status().code(), error.getMessage()));
                    }
                })
                .error(RuntimeException.class, (req, res, error) -> {
                    Cors.decorate(req, res);
                    if (isTooLarge(error)) {
                        tooLarge(res);
                        return;
                    }
                    log.error("Unexpected failure answering {} {}", req.prologue().method(), req.path().rawPath(),
                            error);
                    Responses.error(res, IngressError.ingress(500, "internal error: " + error));
                });
    }

    private static void adminErrors(HttpRouting.Builder routing) {
        routing.error(AdminError.class, (req, res, error) -> {
                    res.status(Status.create(error.status()));
                    if (error.plainText()) {
                        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                        res.send(error.getMessage());
                        return;
                    }
                    ObjectNode body = Json.MAPPER.createObjectNode();
                    body.put("message", error.getMessage());
                    if (error.restateCode() == null) {
                        body.putNull("restate_code");
                    } else {
                        body.put("restate_code", error.restateCode());
                    }
                    Responses.json(res, error.status(), body);
                })
                .error(RuntimeException.class, (req, res, error) -> {
                    if (isTooLarge(error)) {
                        tooLarge(res);
                        return;
                    }
                    log.error("Unexpected failure answering {} {}", req.prologue().method(), req.path().rawPath(),
                            error);
                    res.status(500);
                    Responses.json(res, 500, Json.MAPPER.createObjectNode()
                            .put("message", "internal error: " + error).putNull("restate_code"));
                });
    }

    /** Restate's answer to a body over the limit: 413, plain text. */
    private static void tooLarge(ServerResponse res) {
        res.status(Status.REQUEST_ENTITY_TOO_LARGE_413);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("length limit exceeded");
    }

    /**
     * A body announced larger than the limit is refused before routing, by Helidon itself; answer as Restate does.
     * The connection is closed, since the rest of the body is never read.
     */
    private static DirectHandler.TransportResponse badRequest(DirectHandler.TransportRequest request,
            DirectHandler.EventType event, Status status, ServerResponseHeaders headers, String message) {
        if (status.code() != Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
            return DirectHandler.defaultHandler().handle(request, event, status, headers, message);
        }
        return DirectHandler.TransportResponse.builder()
                .status(Status.REQUEST_ENTITY_TOO_LARGE_413)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .entity("length limit exceeded")
                .keepAlive(false)
                .build();
    }

    private static boolean isTooLarge(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RequestException request
                    && request.status().code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        server.stop();
    }
}
