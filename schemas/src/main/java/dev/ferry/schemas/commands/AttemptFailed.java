package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/**
 * A dispatcher's report that an attempt failed in a way worth retrying (5xx, 408, 429, connection refused,
 * reset, timeout). The processor owns the retry schedule.
 *
 * @param retryAfterMillis the service's {@code Retry-After}, in milliseconds, or null
 */
public record AttemptFailed(InvocationId invocationId, int attempt, Failure failure, Long retryAfterMillis)
        implements Command {}
