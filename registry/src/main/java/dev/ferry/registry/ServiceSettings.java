package dev.ferry.registry;

import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceOverrides;
import java.time.Duration;
import java.util.Locale;

/**
 * The settings in force for one service: Ferry's defaults, overridden by what the service's manifest declares.
 *
 * @param idempotencyRetention how long a completed idempotent invocation answers repeats of its key
 * @param journalRetention how long any completed invocation's result stays available to attach and output
 * @param workflowCompletionRetention how long a completed workflow run keeps its workflow id taken
 * @param inactivityTimeout how long one call to the service may take before it is aborted and retried
 * @param publishResults publish completed invocations on the results topic
 * @param deadLetterFailures publish invocations that failed terminally or were killed on the dead-letter topic
 * @param validateInput check request bodies against the handler's input JSON Schema at the ingress
 */
public record ServiceSettings(
        Duration idempotencyRetention,
        Duration journalRetention,
        Duration workflowCompletionRetention,
        Duration inactivityTimeout,
        Duration abortTimeout,
        RetryPolicy retryPolicy,
        boolean publishResults,
        boolean deadLetterFailures,
        boolean validateInput) {

    /** Restate 1.7's defaults; nothing published. */
    public static final ServiceSettings DEFAULTS = new ServiceSettings(
            Duration.ofDays(1), Duration.ofDays(1), Duration.ofDays(1),
            Duration.ofMinutes(1), Duration.ofMinutes(10), RetryPolicy.DEFAULT, false, false, true);

    /** These settings with the values {@code manifest} declares put in their place. */
    public ServiceSettings overriddenBy(ServiceManifest manifest) {
        return with(manifest.idempotencyRetention(), manifest.journalRetention(),
                manifest.workflowCompletionRetention(), manifest.inactivityTimeout(), manifest.abortTimeout(),
                manifest.retryPolicyInitialInterval(), manifest.retryPolicyExponentiationFactor(),
                manifest.retryPolicyMaxInterval(), manifest.retryPolicyMaxAttempts(),
                manifest.retryPolicyOnMaxAttempts(), null, null, null);
    }

    /** These settings with the values one handler's manifest declares put in their place. */
    public ServiceSettings overriddenBy(HandlerManifest handler) {
        return with(handler.idempotencyRetention(), handler.journalRetention(),
                handler.workflowCompletionRetention(), handler.inactivityTimeout(), handler.abortTimeout(),
                handler.retryPolicyInitialInterval(), handler.retryPolicyExponentiationFactor(),
                handler.retryPolicyMaxInterval(), handler.retryPolicyMaxAttempts(),
                handler.retryPolicyOnMaxAttempts(), null, null, null);
    }

    /** These settings with the operator's changes put in their place. */
    public ServiceSettings overriddenBy(ServiceOverrides overrides) {
        ServiceOverrides.RetryOverrides retry = overrides.retryPolicy();
        return with(overrides.idempotencyRetentionMillis(), overrides.journalRetentionMillis(),
                overrides.workflowCompletionRetentionMillis(), overrides.inactivityTimeoutMillis(), null,
                retry == null ? null : retry.initialIntervalMillis(),
                retry == null ? null : retry.exponentiationFactor(),
                retry == null ? null : retry.maxIntervalMillis(),
                retry == null ? null : retry.maxAttempts(),
                retry == null ? null : retry.onMaxAttempts(),
                overrides.publishResults(),
                overrides.deadLetterFailures(),
                overrides.validateInput());
    }

    private ServiceSettings with(Long idempotency, Long journal, Long workflow, Long inactivity, Long abort,
            Long retryInitial, Double retryFactor, Long retryMax, Integer retryAttempts, String retryOnMax,
            Boolean publish, Boolean deadLetter, Boolean validate) {
        RetryPolicy retry = new RetryPolicy(
                millisOr(retryInitial, retryPolicy.initialInterval()),
                retryFactor != null ? retryFactor : retryPolicy.factor(),
                millisOr(retryMax, retryPolicy.maxInterval()),
                retryAttempts != null ? Integer.valueOf(Math.max(1, retryAttempts)) : retryPolicy.maxAttempts(),
                retryOnMax != null
                        ? RetryPolicy.OnMaxAttempts.valueOf(retryOnMax.toUpperCase(Locale.ROOT))
                        : retryPolicy.onMaxAttempts());
        return new ServiceSettings(
                millisOr(idempotency, idempotencyRetention),
                millisOr(journal, journalRetention),
                millisOr(workflow, workflowCompletionRetention),
                millisOr(inactivity, inactivityTimeout),
                millisOr(abort, abortTimeout),
                retry,
                publish != null ? publish : publishResults,
                deadLetter != null ? deadLetter : deadLetterFailures,
                validate != null ? validate : validateInput);
    }

    private static Duration millisOr(Long millis, Duration fallback) {
        return millis == null ? fallback : Duration.ofMillis(millis);
    }
}
