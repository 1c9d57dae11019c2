package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.replies.Reply;
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
    /** Sent with every 429: a full inbox or too many waiting requests clear up as invocations finish. */
    static final String RETRY_AFTER_SECONDS = "1";

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
        if (error.details() != null && !error.details().isEmpty()) {
            body.set("errors", error.details());
        }
        if (error.invocationId() != null) {
            res.header(HEADER_INVOCATION_ID, error.invocationId());
        }
        if (error.retainedUntil() != null) {
            res.header(HEADER_IDEMPOTENCY_EXPIRES, expires(error.retainedUntil()));
        }
        res.header(HEADER_ERROR_SOURCE, error.source().wire());
        if (error.code() == 429) {
            res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        json(res, error.code(), body);
    }

    /** 202 {@code {"invocationId":…,["executionTime":…,]"status":"Accepted"|"PreviouslyAccepted"}} */
    static void accepted(ServerResponse res, Reply reply, Long executeAt) {
        if (reply.kind() != Reply.Kind.ACCEPTED && reply.kind() != Reply.Kind.PREVIOUSLY_ACCEPTED) {
            result(res, reply); // refused by the processor
            return;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("invocationId", reply.invocationId());
        if (executeAt != null) {
            body.put("executionTime", executionTime(executeAt));
        }
        body.put("status", reply.kind() == Reply.Kind.PREVIOUSLY_ACCEPTED ? "PreviouslyAccepted" : "Accepted");
        res.header(HEADER_INVOCATION_ID, reply.invocationId());
        json(res, 202, body);
    }

    /**
     * The invocation's result as the original call answers it: the handler's status, content type and body, or
     * its failure; {@code idempotency-expires} when the result is a kept one, replayed.
     */
    static void result(ServerResponse res, Reply reply) {
        if (reply.kind() == Reply.Kind.REJECTED) {
            throw new IngressError(reply.outcome().failure().code(), reply.outcome().failure().message(),
                    IngressError.Source.INGRESS, reply.invocationId());
        }
        Outcome outcome = reply.outcome();
        if (reply.kind() != Reply.Kind.RESULT || outcome == null) {
            throw new IllegalStateException("a " + reply.kind() + " reply where a result was expected");
        }
        if (!outcome.succeeded()) {
            // Thrown, so the error handler writes it; the response is reset on the way, so the expiry goes along.
            throw new IngressError(outcome.failure().code(), outcome.failure().message(),
                    IngressError.Source.INVOCATION, reply.invocationId()).retainedUntil(reply.retainedUntil());
        }
        if (reply.retainedUntil() != null) {
            res.header(HEADER_IDEMPOTENCY_EXPIRES, expires(reply.retainedUntil()));
        }
        Outcome.Success success = outcome.success();
        res.header(HEADER_INVOCATION_ID, reply.invocationId());
        res.status(Status.create(success.status()));
        if (success.contentType() != null && !success.body().isEmpty()) {
            res.header(HeaderNames.CONTENT_TYPE, success.contentType());
        }
        res.send(success.body().bytes());
    }

    /**
     * 202 for a call or attach whose {@code Prefer: wait=N} (or the service's maximum wait) passed before the
     * result: the invocation goes on, and its result can be fetched at the attach URL.
     */
    static void stillRunning(ServerResponse res, String invocationId) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("invocationId", invocationId);
        body.put("status", "Running");
        res.header(HEADER_INVOCATION_ID, invocationId);
        res.header(HeaderNames.LOCATION, "/restate/invocation/" + invocationId + "/attach");
        res.header("preference-applied", "wait");
        json(res, 202, body);
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
