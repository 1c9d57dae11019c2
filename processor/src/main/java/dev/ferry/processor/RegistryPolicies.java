package dev.ferry.processor;

import dev.ferry.registry.RegistryView;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.Target;
import dev.ferry.registry.Targets;
import java.time.Duration;
import java.util.Optional;

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

    @Override
    public Optional<Target> resolve(String service, String handler, String key) {
        return Targets.resolve(registry.registry(), service, handler, key == null || key.isEmpty() ? null : key, null)
                instanceof Targets.Resolved resolved ? Optional.of(resolved.target()) : Optional.empty();
    }

    @Override
    public Integer protocolVersion(Target target) {
        return registry.registry().service(target.service())
                .map(service -> service.deployment().speaksServiceProtocol()
                        ? service.deployment().protocol().version() : null)
                .orElse(null);
    }

    @Override
    public Duration journalRetention(Target target) {
        return settings(target).journalRetention();
    }

    @Override
    public String outputContentType(Target target) {
        return registry.registry().service(target.service())
                .map(service -> service.handler(target.handler()))
                .map(handler -> handler.output() == null ? null : handler.output().contentType())
                .orElse(null);
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
