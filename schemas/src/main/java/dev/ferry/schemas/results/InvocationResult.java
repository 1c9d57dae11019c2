package dev.ferry.schemas.results;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Outcome;

/**
 * A completed invocation, as published on the results topic (and a subscription's own result topic) for consumers
 * that want results without HTTP. Keyed by invocation id.
 *
 * @param status {@code succeeded} or {@code failed}
 * @param result the handler's answer, when it succeeded
 * @param failure the terminal failure (or "killed", "Cancelled"), when it failed
 * @param createdAt epoch milliseconds of the submission
 * @param completedAt epoch milliseconds of the completion
 */
public record InvocationResult(
        InvocationId invocationId,
        Target target,
        String idempotencyKey,
        String status,
        Outcome.Success result,
        Failure failure,
        int attempts,
        long createdAt,
        long completedAt) {
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
}
