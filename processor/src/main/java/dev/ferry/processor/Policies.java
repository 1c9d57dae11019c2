package dev.ferry.processor;

import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.Target;
import java.time.Duration;

/** The settings that may differ per service: how to retry, and how long a completed invocation is kept. */
public interface Policies {
    RetryPolicy retryPolicy(Target target);

    /**
     * How long a completed invocation's result (and with it its idempotency key or workflow id) is kept, counted
     * from completion.
     */
    Duration retention(Target target, String idempotencyKey);

    /** How long one call may take before it is aborted and retried; zero for no limit. */
    Duration inactivityTimeout(Target target);

    /** Whether completed invocations are published on the results topic. */
    default boolean publishResults(Target target) {
        return false;
    }

    /** Whether invocations that fail terminally or are killed are published on the dead-letter topic. */
    default boolean deadLetterFailures(Target target) {
        return false;
    }

    /** The same settings for every service, with no call timeout. */
    static Policies uniform(RetryPolicy retryPolicy, Duration retention) {
        return new Policies() {
            @Override
            public Duration inactivityTimeout(Target target) {
                return Duration.ZERO;
            }

            @Override
            public RetryPolicy retryPolicy(Target target) {
                return retryPolicy;
            }

            @Override
            public Duration retention(Target target, String idempotencyKey) {
                return retention;
            }
        };
    }
}
