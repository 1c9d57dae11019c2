package dev.ferry.processor;

import dev.ferry.registry.RegistryView;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.Target;
import java.time.Duration;

/**
 * Per-service policies from the registry: Ferry's defaults, overridden by what each service's manifest declares,
 * overridden by what an operator set with {@code PATCH /services/{name}}.
 */
public final class RegistryPolicies implements Policies {
    private final RegistryView registry;
    private final ServiceSettings defaults;

    public RegistryPolicies(RegistryView registry, ServiceSettings defaults) {
        this.registry = registry;
        this.defaults = defaults;
    }

    private ServiceSettings settings(Target target) {
        return registry.registry().settings(target.service(), target.handler(), defaults);
    }

    @Override
    public Duration inactivityTimeout(Target target) {
        return settings(target).inactivityTimeout();
    }

    @Override
    public boolean publishResults(Target target) {
        return settings(target).publishResults();
    }

    @Override
    public boolean deadLetterFailures(Target target) {
        return settings(target).deadLetterFailures();
    }

    @Override
    public RetryPolicy retryPolicy(Target target) {
        return settings(target).retryPolicy();
    }

    /**
     * A workflow run keeps its id for the workflow retention; an idempotent invocation answers repeats for the
     * idempotency retention; every result stays attachable for the journal retention. The longest that
     * applies wins.
     */
    @Override
    public Duration retention(Target target, String idempotencyKey) {
        ServiceSettings settings = settings(target);
        Duration retention = settings.journalRetention();
        if (target.workflowRun()) {
            retention = max(retention, settings.workflowCompletionRetention());
        } else if (idempotencyKey != null) {
            retention = max(retention, settings.idempotencyRetention());
        }
        return retention;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
