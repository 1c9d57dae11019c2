package dev.ferry.schemas;

/**
 * The processor's answer to one waiting request, on the replies topic, keyed by the ingress instance that holds
 * the connection.
 *
 * @param outcome the result, for {@link Kind#RESULT}; the reason, for {@link Kind#REJECTED}
 * @param retainedUntil epoch milliseconds until which the result is kept, when the answer is a replay of a kept
 *     result (the ingress shows it as {@code idempotency-expires}); null otherwise
 */
public record Reply(String requestId, String invocationId, Kind kind, Outcome outcome, Long retainedUntil) {
    public enum Kind {
        /** The invocation ended; {@code outcome} says how. */
        RESULT,
        /** A send was accepted as a new invocation. */
        ACCEPTED,
        /** A send matched an invocation submitted before (same idempotency key or workflow id). */
        PREVIOUSLY_ACCEPTED,
        /** The invocation exists but has not completed yet (an output request). */
        NOT_READY,
        /** No such invocation (or its result is no longer retained). */
        NOT_FOUND,
        /** The request was refused (its failure says why); the invocation it names is not affected. */
        REJECTED
    }

    public static Reply result(String requestId, String invocationId, Outcome outcome, Long retainedUntil) {
        return new Reply(requestId, invocationId, Kind.RESULT, outcome, retainedUntil);
    }

    public static Reply of(Kind kind, String requestId, String invocationId) {
        return new Reply(requestId, invocationId, kind, null, null);
    }
}
