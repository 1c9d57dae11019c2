package dev.ferry.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The settings in force for one service (or one of its handlers): a value for each {@link ServiceSetting}, read with
 * {@link #get}. The named accessors are there for the settings Ferry's code reads.
 */
public final class ServiceSettings {
    /** Ferry's own defaults, which are Restate 1.7's; nothing published. */
    public static final ServiceSettings DEFAULTS = defaults();

    /** A value for every setting of {@link ServiceSetting#ALL}; null for a setting that is not set. */
    private final Map<ServiceSetting<?, ?>, Object> values;

    private ServiceSettings(Map<ServiceSetting<?, ?>, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    private static ServiceSettings defaults() {
        Map<ServiceSetting<?, ?>, Object> values = new HashMap<>();
        for (ServiceSetting<?, ?> setting : ServiceSetting.ALL) {
            values.put(setting, setting.ferryDefault());
        }
        return new ServiceSettings(values);
    }

    @SuppressWarnings("unchecked") // with() and overriddenBy() put only a T for a ServiceSetting<T, ?>
    public <T> T get(ServiceSetting<T, ?> setting) {
        return (T) values.get(setting);
    }

    /** These settings with {@code setting} set to {@code value} (for Ferry-wide defaults from the configuration). */
    public <T> ServiceSettings with(ServiceSetting<T, ?> setting, T value) {
        Map<ServiceSetting<?, ?>, Object> next = new HashMap<>(values);
        next.put(setting, value);
        return new ServiceSettings(next);
    }

    /**
     * The settings in force when these are the defaults: each setting as {@link ServiceSetting}'s resolution puts
     * the service's manifest, then the handler's, then the operator's changes over these. Each may be null (none).
     */
    public ServiceSettings overriddenBy(ServiceManifest service, HandlerManifest handler, ServiceOverrides overrides) {
        Map<ServiceSetting<?, ?>, Object> next = new HashMap<>();
        for (ServiceSetting<?, ?> setting : ServiceSetting.ALL) {
            next.put(setting, resolve(setting, service, handler, overrides));
        }
        return new ServiceSettings(next);
    }

    private <T> T resolve(ServiceSetting<T, ?> setting, ServiceManifest service, HandlerManifest handler,
            ServiceOverrides overrides) {
        return setting.resolve(get(setting), service, handler, overrides);
    }

    /**
     * Adds the settings to a service's JSON view as the admin API shows them: in {@link ServiceSetting#ALL}'s
     * order, those that apply to a service of {@code type} and are set.
     */
    public void writeView(ObjectNode service, ServiceType type) {
        for (ServiceSetting<?, ?> setting : ServiceSetting.ALL) {
            writeView(service, type, setting);
        }
    }

    private <T> void writeView(ObjectNode service, ServiceType type, ServiceSetting<T, ?> setting) {
        T value = get(setting);
        if (value != null && setting.appliesTo(type)) {
            service.set(setting.name(), setting.view(value));
        }
    }

    public Duration idempotencyRetention() {
        return get(ServiceSetting.IDEMPOTENCY_RETENTION);
    }

    public Duration journalRetention() {
        return get(ServiceSetting.JOURNAL_RETENTION);
    }

    public Duration workflowCompletionRetention() {
        return get(ServiceSetting.WORKFLOW_COMPLETION_RETENTION);
    }

    public Duration inactivityTimeout() {
        return get(ServiceSetting.INACTIVITY_TIMEOUT);
    }

    public Duration abortTimeout() {
        return get(ServiceSetting.ABORT_TIMEOUT);
    }

    public RetryPolicy retryPolicy() {
        return get(ServiceSetting.RETRY_POLICY);
    }

    public boolean publishResults() {
        return get(ServiceSetting.PUBLISH_RESULTS);
    }

    public boolean deadLetterFailures() {
        return get(ServiceSetting.DEAD_LETTER_FAILURES);
    }

    public boolean validateInput() {
        return get(ServiceSetting.VALIDATE_INPUT);
    }

    /** Whether a repeated idempotency key with a different request is answered 422 (not set: no). */
    public boolean rejectChangedRequests() {
        return Boolean.TRUE.equals(get(ServiceSetting.REJECT_CHANGED_REQUESTS));
    }

    /** How long a call or attach waits before it is answered 202; null for no limit. */
    public Duration maxWait() {
        return get(ServiceSetting.MAX_WAIT);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ServiceSettings that && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "ServiceSettings[", "]");
        for (ServiceSetting<?, ?> setting : ServiceSetting.ALL) {
            out.add(setting.name() + "=" + values.get(setting));
        }
        return out.toString();
    }
}
