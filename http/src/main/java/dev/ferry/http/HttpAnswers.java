package dev.ferry.http;

import dev.ferry.schemas.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writes what both ports answer alike: JSON bodies, Restate's headers and its timestamp formats. */
public final class HttpAnswers {
    public static final String HEADER_INVOCATION_ID = "x-restate-id";
    public static final String HEADER_ERROR_SOURCE = "x-restate-error-source";
    public static final String HEADER_IDEMPOTENCY_EXPIRES = "idempotency-expires";
    public static final String APPLICATION_JSON = "application/json";
    /** Sent with every 429: a full inbox or too many waiting requests clear up as invocations finish. */
    public static final String RETRY_AFTER_SECONDS = "1";

    /** As Restate writes {@code idempotency-expires}: {@code 2026-11-24T23:27:28.941+00:00}. */
    private static final DateTimeFormatter EXPIRES =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.UTC);
    /** As Restate writes {@code executionTime}: {@code 2026-11-23T23:26:36.515000000Z}. */
    private static final DateTimeFormatter EXECUTION_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private HttpAnswers() {}

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
