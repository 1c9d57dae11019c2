package dev.ferry.registry;

import dev.ferry.schemas.RetryPolicy;
import dev.ferry.schemas.registry.ServiceManifest;
import dev.ferry.schemas.registry.ServiceOverrides;
import java.time.Duration;

/**
 * The settings in force for one service: Ferry's defaults, overridden by what the service's manifest declares.
 *
 * @param idempotencyRetention how long a completed idempotent invocation answers repeats of its key
 * @param journalRetention how long any completed invocation's result stays available to attach and output
 * @param workflowCompletionRetention how long a completed workflow run keeps its workflow id taken
 * @param inactivityTimeout how long one call to the service may take before it is aborted and retried
 */
public record ServiceSettings(
        Duration idempotencyRetention,
        Duration journalRetention,
        Duration workflowCompletionRetention,
        Duration inactivityTimeout,
        Duration abortTimeout,
        RetryPolicy retryPolicy) {

    /** Restate 1.7's defaults. */
    public static final ServiceSettings DEFAULTS = new ServiceSettings(
            Duration.ofDays(1), Duration.ofDays(1), Duration.ofDays(1),
            Duration.ofMinutes(1), Duration.ofMinutes(10), RetryPolicy.DEFAULT);

    /** These settings with the values {@code manifest} declares put in their place. */
    public ServiceSettings overriddenBy(ServiceManifest manifest) {
        RetryPolicy retry = retryPolicy;
        if (manifest.retryPolicyInitialInterval() != null || manifest.retryPolicyMaxInterval() != null
                || manifest.retryPolicyMaxAttempts() != null || manifest.retryPolicyExponentiationFactor() != null
                || manifest.retryPolicyOnMaxAttempts() != null) {
            retry = new RetryPolicy(
                    millisOr(manifest.retryPolicyInitialInterval(), retry.initialInterval()),
                    manifest.retryPolicyExponentiationFactor() != null
                            ? manifest.retryPolicyExponentiationFactor() : retry.factor(),
                    millisOr(manifest.retryPolicyMaxInterval(), retry.maxInterval()),
                    manifest.retryPolicyMaxAttempts() != null
                            ? Math.max(1, manifest.retryPolicyMaxAttempts()) : retry.maxAttempts(),
                    manifest.retryPolicyOnMaxAttempts() != null
                            ? RetryPolicy.OnMaxAttempts.valueOf(manifest.retryPolicyOnMaxAttempts()) : retry.onMaxAttempts());
        }
        return new ServiceSettings(
                millisOr(manifest.idempotencyRetention(), idempotencyRetention),
                millisOr(manifest.journalRetention(), journalRetention),
                millisOr(manifest.workflowCompletionRetention(), workflowCompletionRetention),
                millisOr(manifest.inactivityTimeout(), inactivityTimeout),
                millisOr(manifest.abortTimeout(), abortTimeout),
                retry);
    }

    /** These settings with the operator's changes put in their place. */
    public ServiceSettings overriddenBy(ServiceOverrides overrides) {
        return new ServiceSettings(
                millisOr(overrides.idempotencyRetentionMillis(), idempotencyRetention),
                millisOr(overrides.journalRetentionMillis(), journalRetention),
                millisOr(overrides.workflowCompletionRetentionMillis(), workflowCompletionRetention),
                inactivityTimeout,
                abortTimeout,
                retryPolicy);
    }

    private static Duration millisOr(Long millis, Duration fallback) {
        return millis == null ? fallback : Duration.ofMillis(millis);
    }
}
