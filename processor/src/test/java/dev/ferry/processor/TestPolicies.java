package dev.ferry.processor;

import dev.ferry.schemas.Target;
import dev.ferry.schemas.deployments.RetryPolicy;
import java.time.Duration;

/**
 * The policies most state machine tests run under: Restate's default retry policy, results kept for an hour, no
 * call timeout. A test overrides what it is about.
 */
class TestPolicies implements Policies {
    @Override
    public RetryPolicy retryPolicy(Target target) {
        return RetryPolicy.DEFAULT;
    }

    @Override
    public Duration retention(Target target, String idempotencyKey) {
        return Duration.ofHours(1);
    }

    @Override
    public Duration inactivityTimeout(Target target) {
        return Duration.ZERO;
    }
}
