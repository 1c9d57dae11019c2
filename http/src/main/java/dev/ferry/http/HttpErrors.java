package dev.ferry.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.ProcessorUnavailable;
import dev.ferry.schemas.Json;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How both ports turn failures into answers: an {@link HttpError} in the port's {@link Shape}, a processor that
 * cannot be asked as 503 (or 429), Helidon's own refusals (a path no route serves: 404) with their status, a body
 * over the limit as Restate's plain-text 413, anything else as a logged 500. Never a stack trace to the caller.
 */
public final class HttpErrors {
    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

    /** Restate answers errors differently on its two ports. */
    public enum Shape {
        /**
         * The ingress: {@code {"code":N,"message":"…","source":"ingress"|"invocation"}} with
         * {@code x-restate-error-source} (and {@code x-restate-id}, {@code idempotency-expires}, {@code Retry-After}
         * where they apply).
         */
        INGRESS,
        /** The admin API: {@code {"message":"…","restate_code":…}}, or plain text where Restate answers so. */
        ADMIN
    }

    private HttpErrors() {}

    /**
     * Installs the error handlers of a port.
     *
     * @param decorate adds the headers every answer of the port carries (CORS on the ingress); error answers are
     *     written afresh, so it runs for them too
     */
    public static void install(HttpRouting.Builder routing, Shape shape,
            BiConsumer<ServerRequest, ServerResponse> decorate) {
        routing.error(HttpError.class, (req, res, error) -> {
                    decorate.accept(req, res);
                    write(res, shape, error);
                })
                .error(ProcessorUnavailable.class, (req, res, error) -> {
                    decorate.accept(req, res);
                    write(res, shape, HttpError.of(error.status(), error.getMessage()));
                })
                // Helidon's own refusals, such as a path no route serves: their status, not a 500.
                .error(HttpException.class, (req, res, error) -> {
                    decorate.accept(req, res);
                    int status = error.status().code();
                    write(res, shape, HttpError.of(status, status == 404 ? "not found" : error.getMessage()));
                })
                .error(RequestException.class, (req, res, error) -> {
                    decorate.accept(req, res);
                    if (error.status().code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
                        tooLarge(res);
                    } else if (shape == Shape.INGRESS) {
                        write(res, shape, HttpError.of(error.status().code(), error.getMessage()));
                    } else {
                        internalError(req, res, shape, error);
                    }
                })
                .error(RuntimeException.class, (req, res, error) -> {
                    decorate.accept(req, res);
                    if (isTooLarge(error)) {
                        tooLarge(res);
                        return;
                    }
                    internalError(req, res, shape, error);
                });
    }

    /** Writes the error in the port's shape. */
    public static void write(ServerResponse res, Shape shape, HttpError error) {
        if (shape == Shape.ADMIN) {
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
            HttpAnswers.json(res, error.status(), body);
            return;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("code", error.status());
        body.put("message", error.getMessage());
        body.put("source", error.source().wire());
        if (error.details() != null && !error.details().isEmpty()) {
            body.set("errors", error.details());
        }
        if (error.invocationId() != null) {
            res.header(HttpAnswers.HEADER_INVOCATION_ID, error.invocationId().toString());
        }
        if (error.retainedUntil() != null) {
            res.header(HttpAnswers.HEADER_IDEMPOTENCY_EXPIRES, HttpAnswers.expires(error.retainedUntil()));
        }
        res.header(HttpAnswers.HEADER_ERROR_SOURCE, error.source().wire());
        if (error.status() == 429) {
            res.header(HeaderNames.RETRY_AFTER, HttpAnswers.RETRY_AFTER_SECONDS);
        }
        HttpAnswers.json(res, error.status(), body);
    }

    private static void internalError(ServerRequest req, ServerResponse res, Shape shape, Exception error) {
        log.error("Unexpected failure answering {} {}", req.prologue().method(), req.path().rawPath(), error);
        write(res, shape, HttpError.of(500, "internal error: " + error));
    }

    /**
     * A body announced larger than the limit is refused before routing, by Helidon itself; these answer it as
     * Restate does. The connection is closed, since the rest of the body is never read.
     */
    public static DirectHandlers bodyLimitHandlers() {
        return DirectHandlers.builder()
                // Helidon reports a body over the limit as a bad request with status 413.
                .addHandler(DirectHandler.EventType.BAD_REQUEST, HttpErrors::badRequest)
                .addHandler(DirectHandler.EventType.PAYLOAD_TOO_LARGE, HttpErrors::badRequest)
                .build();
    }

    /** Restate's answer to a body over the limit: 413, plain text. */
    private static void tooLarge(ServerResponse res) {
        res.status(Status.REQUEST_ENTITY_TOO_LARGE_413);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("length limit exceeded");
    }

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
}
