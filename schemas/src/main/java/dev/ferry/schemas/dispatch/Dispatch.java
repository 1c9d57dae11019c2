package dev.ferry.schemas.dispatch;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Header;
import java.util.List;

/**
 * An attempt to run, on the dispatch topic: a dispatcher calls the handler and reports the outcome on the
 * command log, renewing its lease while the call is open.
 *
 * @param leaseMillis how long the processor waits without a lease renewal before it runs the attempt again
 * @param timeoutMillis how long the call may take before the dispatcher aborts it and reports a retryable failure
 *     (the service's inactivity timeout); null for no limit
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
        Long timeoutMillis)
        implements DispatcherCommand {
    public Dispatch {
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? Payload.EMPTY : body;
    }
}
