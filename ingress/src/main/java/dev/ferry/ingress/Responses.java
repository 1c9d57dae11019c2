package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writes the answers the ingress shares: errors, JSON bodies and Restate's timestamp formats. */
public final class Responses {
    public static final String HEADER_INVOCATION_ID = "x-restate-id";
    public static final String HEADER_ERROR_SOURCE = "x-restate-error-source";
    public static final String HEADER_IDEMPOTENCY_EXPIRES = "idempotency-expires";
    public static final String APPLICATION_JSON = "application/json";

    /** As Restate writes {@code idempotency-expires}: {@code 2026-11-24T23:27:28.941+00:00}. */
    private static final DateTimeFormatter EXPIRES =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.UTC);
    /** As Restate writes {@code executionTime}: {@code 2026-11-23T23:26:36.515000000Z}. */
    private static final DateTimeFormatter EXECUTION_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Responses() {}

    public static void error(ServerResponse res, IngressError error) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("code", error.code());
        body.put("message", error.getMessage());
        body.put("source", error.source().wire());
        if (error.invocationId() != null) {
            res.header(HEADER_INVOCATION_ID, error.invocationId());
        }
        res.header(HEADER_ERROR_SOURCE, error.source().wire());
        json(res, error.code(), body);
    }

    public static void json(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON);
        res.send(Json.write(body));
    }

    public static String expires(long epochMillis) {
        return EXPIRES.format(Instant.ofEpochMilli(epochMillis));
    }

    public static String executionTime(long epochMillis) {
        return EXECUTION_TIME.format(Instant.ofEpochMilli(epochMillis));
    }
}
