package dev.ferry.schemas.deployments;

/**
 * Settings an operator changed for one service ({@code PATCH /services/{name}}), kept on the deployments topic under
 * the key {@code service/{name}} so every process applies them, and kept across re-registrations of the service.
 * Null fields leave the manifest's value (or Ferry's default) in force. Durations are milliseconds.
 *
 * @param rejectChangedRequests a repeated idempotency key with a different request is answered 422 instead of
 *     with the first request's result
 * @param maxWaitMillis calls and attaches answer 202 with the invocation id after this long instead of holding the
 *     connection until the result
 * @param inactivityTimeoutMillis how long one call may take before it is aborted and retried
 * @param retryPolicy the retry policy's fields that were changed
 * @param publishResults publish each completed invocation on the results topic
 * @param deadLetterFailures publish each invocation that failed terminally or was killed on the dead-letter topic
 * @param validateInput check request bodies against the handler's input JSON Schema (false: Restate's behaviour)
 */
public record ServiceOverrides(
        String name,
        Long idempotencyRetentionMillis,
        Long journalRetentionMillis,
        Long workflowCompletionRetentionMillis,
        Boolean rejectChangedRequests,
        Long maxWaitMillis,
        Long inactivityTimeoutMillis,
        RetryOverrides retryPolicy,
        Boolean publishResults,
        Boolean deadLetterFailures,
        Boolean validateInput) {
    public static final String KEY_PREFIX = "service/";

    /** Changed retry policy fields; null ones keep their value. Durations in milliseconds. */
    public record RetryOverrides(
            Long initialIntervalMillis,
            Double exponentiationFactor,
            Long maxIntervalMillis,
            Integer maxAttempts,
            String onMaxAttempts) {}

    public static ServiceOverrides none(String name) {
        return new ServiceOverrides(name, null, null, null, null, null, null, null, null, null, null);
    }

    public String key() {
        return KEY_PREFIX + name;
    }
}
