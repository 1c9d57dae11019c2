package dev.ferry.processor;

import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.Target;
import java.time.Duration;
import java.util.Optional;

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

    /**
     * The service protocol version the target's deployment speaks, for a service written with a Restate SDK; null
     * for one that speaks Ferry's plain contract.
     */
    default Integer protocolVersion(Target target) {
        return null;
    }

    /**
     * How long the journal of a completed invocation of a service written with a Restate SDK is kept (Restate's
     * {@code journal_retention}); zero drops it at completion.
     */
    default Duration journalRetention(Target target) {
        return Duration.ZERO;
    }

    /** The content type the handler declares for its output; null when it declares none. */
    default String outputContentType(Target target) {
        return null;
    }

    /**
     * The target of a call from a handler, with its service's and handler's types from the registry; empty when the
     * service or handler is unknown, or the key does not fit the service.
     */
    default Optional<Target> resolve(String service, String handler, String key) {
        return Optional.empty();
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
