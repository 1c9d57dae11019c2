package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.replies.Reply;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Writes the ingress's answers about invocations: accepted, a result, still running. */
public final class Responses {
    private Responses() {}

    /** 202 {@code {"invocationId":…,["executionTime":…,]"status":"Accepted"|"PreviouslyAccepted"}} */
    static void accepted(ServerResponse res, Reply reply, Long executeAt) {
        if (reply.kind() != Reply.Kind.ACCEPTED && reply.kind() != Reply.Kind.PREVIOUSLY_ACCEPTED) {
            result(res, reply); // refused by the processor
            return;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("invocationId", reply.invocationId().toString());
        if (executeAt != null) {
            body.put("executionTime", HttpAnswers.executionTime(executeAt));
        }
        body.put("status", reply.kind() == Reply.Kind.PREVIOUSLY_ACCEPTED ? "PreviouslyAccepted" : "Accepted");
        res.header(HttpAnswers.HEADER_INVOCATION_ID, reply.invocationId().toString());
        HttpAnswers.json(res, 202, body);
    }

    /**
     * The invocation's result as the original call answers it: the handler's status, content type and body, or
     * its failure; {@code idempotency-expires} when the result is a kept one, replayed.
     */
    static void result(ServerResponse res, Reply reply) {
        if (reply.kind() == Reply.Kind.REJECTED) {
            throw new HttpError(reply.outcome().failure().code(), reply.outcome().failure().message(),
                    HttpError.Source.INGRESS, reply.invocationId());
        }
        Outcome outcome = reply.outcome();
        if (reply.kind() != Reply.Kind.RESULT || outcome == null) {
            throw new IllegalStateException("a " + reply.kind() + " reply where a result was expected");
        }
        if (!outcome.succeeded()) {
            // Thrown, so the error handler writes it; the response is reset on the way, so the expiry goes along.
            throw new HttpError(outcome.failure().code(), outcome.failure().message(),
                    HttpError.Source.INVOCATION, reply.invocationId()).retainedUntil(reply.retainedUntil());
        }
        if (reply.retainedUntil() != null) {
            res.header(HttpAnswers.HEADER_IDEMPOTENCY_EXPIRES, HttpAnswers.expires(reply.retainedUntil()));
        }
        Outcome.Success success = outcome.success();
        res.header(HttpAnswers.HEADER_INVOCATION_ID, reply.invocationId().toString());
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
    static void stillRunning(ServerResponse res, InvocationId invocationId) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("invocationId", invocationId.toString());
        body.put("status", "Running");
        res.header(HttpAnswers.HEADER_INVOCATION_ID, invocationId.toString());
        res.header(HeaderNames.LOCATION, "/restate/invocation/" + invocationId + "/attach");
        res.header("preference-applied", "wait");
        HttpAnswers.json(res, 202, body);
    }

}
