package dev.ferry.schemas.dispatch;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.journal.JournalReplay;
import java.util.List;

/**
 * An attempt to run, on the dispatch topic: a dispatcher calls the handler and reports the outcome on the
 * command log, renewing its lease while the call is open.
 *
 * @param leaseMillis how long the processor waits without a lease renewal before it runs the attempt again
 * @param timeoutMillis how long the call may take before the dispatcher aborts it and reports a retryable failure
 *     (the service's inactivity timeout); null for no limit
 * @param journal for a service written with a Restate SDK, the journal to replay and the state to send (the input
 *     is its first entry, and {@code body} is empty); null for a service that speaks the plain contract
 */
public record Dispatch(
        InvocationId invocationId,
        int attempt,
        Target target,
        String idempotencyKey,
        String contentType,
        List<Header> headers,
        Payload body,
        long leaseMillis,
        Long timeoutMillis,
        JournalReplay journal)
        implements DispatcherCommand {
    public Dispatch {
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? Payload.EMPTY : body;
    }

    /** An attempt on a service that speaks Ferry's plain HTTP contract. */
    public Dispatch(InvocationId invocationId, int attempt, Target target, String idempotencyKey, String contentType,
            List<Header> headers, Payload body, long leaseMillis, Long timeoutMillis) {
        this(invocationId, attempt, target, idempotencyKey, contentType, headers, body, leaseMillis, timeoutMillis,
                null);
    }
}
