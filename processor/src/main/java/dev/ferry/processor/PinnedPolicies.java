package dev.ferry.processor;

import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.Target;
import java.time.Duration;

/**
 * The policies an invocation runs under, resolved from the registry once, when its first attempt starts (as Restate
 * pins an invocation to a deployment then), and kept in its state. A registry change (a new deployment, an operator's
 * {@code PATCH /services/{name}}) applies to invocations that start after it. So a processor that reads the log again
 * after a crash decides retries, timeouts and retention as its predecessor did, whatever the registry says by then;
 * and an invocation is not retried by one policy and ended by another.
 *
 * @param maxAttempts null for no limit
 * @param inactivityTimeoutMillis 0 for no limit
 * @param protocolVersion the service protocol version of a service written with a Restate SDK, null for the plain
 *     contract (and in state from before it was pinned)
 * @param outputContentType the content type the handler declares for its output; null when none
 * @param journalRetentionMillis how long an SDK handler's journal is kept after completion (at most as long as the
 *     invocation itself); 0 drops it then
 */
public record PinnedPolicies(
        Long retryInitialMillis,
        double retryFactor,
        Long retryMaxIntervalMillis,
        Integer maxAttempts,
        RetryPolicy.OnMaxAttempts onMaxAttempts,
        long retentionMillis,
        long inactivityTimeoutMillis,
        boolean publishResults,
        boolean deadLetterFailures,
        Integer protocolVersion,
        String outputContentType,
        long journalRetentionMillis) {

    static PinnedPolicies of(Policies policies, Target target, String idempotencyKey) {
        RetryPolicy retry = policies.retryPolicy(target);
        return new PinnedPolicies(
                millis(retry.initialInterval()),
                retry.factor(),
                millis(retry.maxInterval()),
                retry.maxAttempts(),
                retry.onMaxAttempts(),
                policies.retention(target, idempotencyKey).toMillis(),
                policies.inactivityTimeout(target).toMillis(),
                policies.publishResults(target),
                policies.deadLetterFailures(target),
                policies.protocolVersion(target),
                policies.outputContentType(target),
                policies.journalRetention(target).toMillis());
    }

    RetryPolicy retryPolicy() {
        return new RetryPolicy(duration(retryInitialMillis), retryFactor, duration(retryMaxIntervalMillis),
                maxAttempts, onMaxAttempts);
    }

    /** Kept as it is, even when it is missing: a policy is pinned, not checked (the registry checks it). */
    private static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }

    private static Duration duration(Long millis) {
        return millis == null ? null : Duration.ofMillis(millis);
    }

    Duration retention() {
        return Duration.ofMillis(retentionMillis);
    }

    Duration inactivityTimeout() {
        return Duration.ofMillis(inactivityTimeoutMillis);
    }
}
