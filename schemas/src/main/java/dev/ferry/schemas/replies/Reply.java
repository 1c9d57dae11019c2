package dev.ferry.schemas.replies;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.journal.StateEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The processor's answer to one waiting request, on the replies topic, keyed by the ingress instance that holds
 * the connection; or, for {@link Kind#INVOCATION_RESULT}, to every request of that instance waiting for the
 * invocation (no request id).
 *
 * @param outcome the result, for {@link Kind#RESULT}; the reason, for {@link Kind#REJECTED}
 * @param retainedUntil epoch milliseconds until which the result is kept, when the answer is a replay of a kept
 *     result (the ingress shows it as {@code idempotency-expires}); null otherwise
 * @param invocations for {@link Kind#INVOCATIONS}: what was asked for
 * @param scannedTo for {@link Kind#INVOCATIONS} answering a list: the last position the scan of the partition
 *     examined, when it stopped before the partition's end (enough matches, or as many entries as one answer may
 *     examine); null when it reached the end
 * @param state for {@link Kind#STATE}: every entry of the key's state, sorted by key; empty when it has none
 */
public record Reply(
        String requestId,
        InvocationId invocationId,
        Kind kind,
        Outcome outcome,
        Long retainedUntil,
        List<InvocationView> invocations,
        InvocationCursor scannedTo,
        List<StateEntry> state) {
    public enum Kind {
        /** The invocation ended; {@code outcome} says how. */
        RESULT,
        /**
         * The invocation ended ({@code outcome} says how), for every request of the ingress instance that waits
         * for it: the processor keeps which instances wait, not which requests, and sends each instance this once.
         */
        INVOCATION_RESULT,
        /** A send was accepted as a new invocation. */
        ACCEPTED,
        /** A send matched an invocation submitted before (same idempotency key or workflow id). */
        PREVIOUSLY_ACCEPTED,
        /** The invocation exists but has not completed yet (an output request). */
        NOT_READY,
        /** No such invocation (or its result is no longer retained). */
        NOT_FOUND,
        /** The request was refused (its failure says why); the invocation it names is not affected. */
        REJECTED,
        /** A management command was carried out. */
        DONE,
        /** Invocations described ({@code invocations}). */
        INVOCATIONS,
        /** A virtual object's or workflow's state ({@code state}). */
        STATE
    }

    public static Reply result(String requestId, InvocationId invocationId, Outcome outcome, Long retainedUntil) {
        return new Reply(requestId, invocationId, Kind.RESULT, outcome, retainedUntil, null, null, null);
    }

    /** The result for every request of one ingress instance waiting for the invocation. */
    public static Reply invocationResult(InvocationId invocationId, Outcome outcome) {
        return new Reply(null, invocationId, Kind.INVOCATION_RESULT, outcome, null, null, null, null);
    }

    /** This broadcast result as the answer to one of the requests waiting for it. */
    public Reply forRequest(String waitingRequestId) {
        return new Reply(waitingRequestId, invocationId, Kind.RESULT, outcome, retainedUntil, null, null, null);
    }

    public static Reply of(Kind kind, String requestId, InvocationId invocationId) {
        return new Reply(requestId, invocationId, kind, null, null, null, null, null);
    }

    public static Reply rejected(String requestId, InvocationId invocationId, int code, String message) {
        return new Reply(requestId, invocationId, Kind.REJECTED, Outcome.failure(code, message), null, null, null,
                null);
    }

    public static Reply invocations(String requestId, List<InvocationView> invocations) {
        return new Reply(requestId, null, Kind.INVOCATIONS, null, null, List.copyOf(invocations), null, null);
    }

    /** One partition's page of a list: its matches, newest first, and where its scan stopped (null: at the end). */
    public static Reply page(String requestId, List<InvocationView> invocations, InvocationCursor scannedTo) {
        return new Reply(requestId, null, Kind.INVOCATIONS, null, null, List.copyOf(invocations), scannedTo, null);
    }

    /** One key's state: every entry, whatever the order given, sorted by key (its bytes, unsigned). */
    public static Reply state(String requestId, List<StateEntry> entries) {
        List<StateEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.key().bytes(), b.key().bytes()));
        return new Reply(requestId, null, Kind.STATE, null, null, null, null, List.copyOf(sorted));
    }
}
