package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.InvocationId;

/**
 * An answer that is an error, thrown anywhere in request handling of the ingress or the admin API; the routing
 * turns it into the response in the shape of the port that answers (see {@link HttpErrors.Shape}): Restate's
 * ingress shape {@code {"code":N,"message":"…","source":"ingress"|"invocation"}} with header
 * {@code x-restate-error-source}, or Restate's admin shape {@code {"message":"…","restate_code":…}}, or plain
 * text where Restate answers in plain text.
 */
public final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Source {
        /** Ferry itself refused the request (bad path, unknown service, bad header, ...). */
        INGRESS("ingress"),
        /** The invocation produced the failure (a handler's terminal error, a workflow already run, ...). */
        INVOCATION("invocation");

        private final String wire;

        Source(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    private final int status;
    private final Source source;
    /** The invocation the error is about, shown as {@code x-restate-id}; null when there is none. */
    private final InvocationId invocationId;
    /** Restate's error code on the admin API ({@code restate_code}, e.g. {@code META0003}); null when none. */
    private String restateCode;
    /** The body is the message as plain text, not JSON. */
    private boolean plainText;
    /** When the failure is a kept result, replayed: until when it is kept ({@code idempotency-expires}). */
    private Long retainedUntil;
    /** Itemised problems, answered as {@code errors} beside Restate's fields; null for none. */
    private JsonNode details;

    public HttpError(int status, String message, Source source, InvocationId invocationId) {
        super(message, null, false, false);
        this.status = status;
        this.source = source;
        this.invocationId = invocationId;
    }

    public static HttpError of(int status, String message) {
        return new HttpError(status, message, Source.INGRESS, null);
    }

    /** An admin API error with Restate's error code. */
    public static HttpError of(int status, String message, String restateCode) {
        HttpError error = of(status, message);
        error.restateCode = restateCode;
        return error;
    }

    /** An error answered as plain text, as Restate answers request bodies it cannot parse. */
    public static HttpError plainText(int status, String message) {
        HttpError error = of(status, message);
        error.plainText = true;
        return error;
    }

    public static HttpError badRequest(String message) {
        return of(400, message);
    }

    public static HttpError notFound(String message) {
        return of(404, message);
    }

    public static HttpError methodNotAllowed() {
        return of(405, "method not allowed");
    }

    public int status() {
        return status;
    }

    public Source source() {
        return source;
    }

    public InvocationId invocationId() {
        return invocationId;
    }

    public String restateCode() {
        return restateCode;
    }

    public boolean plainText() {
        return plainText;
    }

    public Long retainedUntil() {
        return retainedUntil;
    }

    public JsonNode details() {
        return details;
    }

    public HttpError details(JsonNode problems) {
        this.details = problems;
        return this;
    }

    public HttpError retainedUntil(Long epochMillis) {
        this.retainedUntil = epochMillis;
        return this;
    }
}
