package dev.ferry.ingress;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An answer that is an error, in Restate's shape: status {@code code}, body
 * {@code {"code":N,"message":"…","source":"ingress"|"invocation"}} and header {@code x-restate-error-source}.
 * Thrown anywhere in request handling; the routing turns it into the response.
 */
public final class IngressError extends RuntimeException {
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

    private final int code;
    private final Source source;
    /** The invocation the error is about, shown as {@code x-restate-id}; null when there is none. */
    private final String invocationId;
    /** When the failure is a kept result, replayed: until when it is kept ({@code idempotency-expires}). */
    private Long retainedUntil;
    /** Itemised problems, answered as {@code errors} beside Restate's fields; null for none. */
    private JsonNode details;

    public IngressError(int code, String message, Source source, String invocationId) {
        super(message, null, false, false);
        this.code = code;
        this.source = source;
        this.invocationId = invocationId;
    }

    public static IngressError ingress(int code, String message) {
        return new IngressError(code, message, Source.INGRESS, null);
    }

    public static IngressError badRequest(String message) {
        return ingress(400, message);
    }

    public static IngressError notFound(String message) {
        return ingress(404, message);
    }

    public static IngressError methodNotAllowed() {
        return ingress(405, "method not allowed");
    }

    public int code() {
        return code;
    }

    public Source source() {
        return source;
    }

    public String invocationId() {
        return invocationId;
    }

    public Long retainedUntil() {
        return retainedUntil;
    }

    public JsonNode details() {
        return details;
    }

    IngressError details(JsonNode problems) {
        this.details = problems;
        return this;
    }

    IngressError retainedUntil(Long epochMillis) {
        this.retainedUntil = epochMillis;
        return this;
    }
}
