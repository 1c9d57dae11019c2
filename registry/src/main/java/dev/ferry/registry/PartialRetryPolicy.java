package dev.ferry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.registry.ServiceOverrides.InvalidChange;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The retry policy fields one layer sets (a service's manifest, a handler's, an operator's change); null ones keep
 * the value beneath. An operator's change is stored as this record (the {@code retryPolicy} of
 * {@link ServiceOverrides}), so its components are the stored field names. Durations in milliseconds.
 *
 * @param onMaxAttempts {@code PAUSE} or {@code KILL}, in any case
 */
public record PartialRetryPolicy(
        Long initialIntervalMillis,
        Double exponentiationFactor,
        Long maxIntervalMillis,
        Integer maxAttempts,
        String onMaxAttempts) {

    static PartialRetryPolicy declaredBy(ServiceManifest service) {
        return new PartialRetryPolicy(service.retryPolicyInitialInterval(), service.retryPolicyExponentiationFactor(),
                service.retryPolicyMaxInterval(), service.retryPolicyMaxAttempts(), service.retryPolicyOnMaxAttempts());
    }

    static PartialRetryPolicy declaredBy(HandlerManifest handler) {
        return new PartialRetryPolicy(handler.retryPolicyInitialInterval(), handler.retryPolicyExponentiationFactor(),
                handler.retryPolicyMaxInterval(), handler.retryPolicyMaxAttempts(), handler.retryPolicyOnMaxAttempts());
    }

    /** {@code policy} with the fields set here put in place of its own; at least one attempt in all. */
    RetryPolicy appliedTo(RetryPolicy policy) {
        return new RetryPolicy(
                initialIntervalMillis != null ? Duration.ofMillis(initialIntervalMillis) : policy.initialInterval(),
                exponentiationFactor != null ? exponentiationFactor : policy.factor(),
                maxIntervalMillis != null ? Duration.ofMillis(maxIntervalMillis) : policy.maxInterval(),
                maxAttempts != null ? Integer.valueOf(Math.max(1, maxAttempts)) : policy.maxAttempts(),
                onMaxAttempts != null
                        ? RetryPolicy.OnMaxAttempts.valueOf(onMaxAttempts.toUpperCase(Locale.ROOT))
                        : policy.onMaxAttempts());
    }

    /**
     * {@code retry_policy} in a {@code PATCH}: Restate's fields, each optional and put over {@code current} (the
     * operator's change so far); null (or a null policy) returns to the manifest's values or the defaults.
     */
    static PartialRetryPolicy parse(JsonNode value, PartialRetryPolicy current) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new InvalidChange("retry_policy must be an object with initial_interval, "
                    + "exponentiation_factor, max_interval, max_attempts and on_max_attempts");
        }
        Long initial = current == null ? null : current.initialIntervalMillis();
        Double factor = current == null ? null : current.exponentiationFactor();
        Long max = current == null ? null : current.maxIntervalMillis();
        Integer attempts = current == null ? null : current.maxAttempts();
        String onMax = current == null ? null : current.onMaxAttempts();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "initial_interval" -> initial = ServiceSetting.durationMillis("retry_policy.initial_interval", v);
                case "max_interval" -> max = ServiceSetting.durationMillis("retry_policy.max_interval", v);
                case "exponentiation_factor" -> {
                    // 1e400 reads as infinity, which would make every wait after the first the longest.
                    if (!v.isNull() && (!v.isNumber() || v.asDouble() < 1.0 || !Double.isFinite(v.asDouble()))) {
                        throw new InvalidChange("retry_policy.exponentiation_factor must be a finite number >= 1,"
                                + " got " + v);
                    }
                    factor = v.isNull() ? null : v.asDouble();
                }
                case "max_attempts" -> {
                    if (!v.isNull() && (!v.canConvertToInt() || v.asInt() < 1)) {
                        throw new InvalidChange("retry_policy.max_attempts must be a whole number >= 1");
                    }
                    attempts = v.isNull() ? null : v.asInt();
                }
                case "on_max_attempts" -> {
                    String text = v.isNull() ? null : v.asText().toUpperCase(Locale.ROOT);
                    if (text != null && !text.equals("PAUSE") && !text.equals("KILL")) {
                        throw new InvalidChange("retry_policy.on_max_attempts must be Pause or Kill");
                    }
                    onMax = text;
                }
                default -> throw new InvalidChange("unknown retry_policy field '" + field.getKey() + "'");
            }
        }
        return new PartialRetryPolicy(initial, factor, max, attempts, onMax);
    }

    /** A retry policy in force, as Restate's admin API shows it. */
    static ObjectNode view(RetryPolicy policy) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("initial_interval", Durations.format(policy.initialInterval()));
        node.put("exponentiation_factor", policy.factor());
        if (policy.maxAttempts() == null) {
            node.putNull("max_attempts");
        } else {
            node.put("max_attempts", policy.maxAttempts());
        }
        node.put("max_interval", Durations.format(policy.maxInterval()));
        node.put("on_max_attempts", policy.onMaxAttempts() == RetryPolicy.OnMaxAttempts.KILL ? "Kill" : "Pause");
        return node;
    }
}
