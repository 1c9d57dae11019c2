package dev.ferry.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.ServiceManifest;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Settings an operator changed for one service ({@code PATCH /services/{name}}), kept on the deployments topic under
 * the key {@code service/{name}} so every process applies them, and kept across re-registrations of the service.
 * A setting not changed leaves the manifest's value (or Ferry's default) in force.
 *
 * <p>Stored as JSON: {@code name}, then each changed setting under its stored field name ({@link ServiceSetting}),
 * e.g. {@code {"name":"Greeter","maxWaitMillis":1500,"retryPolicy":{"maxAttempts":3}}}. Durations are milliseconds.
 * Fields this version does not know are ignored, as newer producers may add some.
 */
public final class ServiceOverrides {
    public static final String KEY_PREFIX = "service/";

    private final String name;
    /** The changed settings' values, in their stored form; a setting not changed has no entry. */
    private final Map<ServiceSetting<?, ?>, Object> changed;

    private ServiceOverrides(String name, Map<ServiceSetting<?, ?>, Object> changed) {
        this.name = name;
        this.changed = Map.copyOf(changed);
    }

    public static ServiceOverrides none(String name) {
        return new ServiceOverrides(name, Map.of());
    }

    public String name() {
        return name;
    }

    public String key() {
        return KEY_PREFIX + name;
    }

    /** The operator's value for {@code setting}, in its stored form; null when not changed. */
    @SuppressWarnings("unchecked") // with() puts only a D for a ServiceSetting<?, D>
    public <D> D get(ServiceSetting<?, D> setting) {
        return (D) changed.get(setting);
    }

    /** These changes with {@code setting} set to {@code value}; null returns it to the manifest's value or default. */
    public <D> ServiceOverrides with(ServiceSetting<?, D> setting, D value) {
        if (!setting.changeable()) {
            throw new IllegalArgumentException(setting.name() + " cannot be changed by operators");
        }
        Map<ServiceSetting<?, ?>, Object> next = new HashMap<>(changed);
        if (value == null) {
            next.remove(setting);
        } else {
            next.put(setting, value);
        }
        return new ServiceOverrides(name, next);
    }

    /**
     * These changes with a {@code PATCH /services/{name}} body's settings applied, each read as its
     * {@link ServiceSetting} says, in the order the body names them.
     *
     * @param patch a JSON object of settings by name
     * @throws InvalidChange for an unknown setting or a value that cannot be used, saying which and why
     */
    public ServiceOverrides changedBy(JsonNode patch, ServiceManifest service) {
        ServiceOverrides next = this;
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            ServiceSetting<?, ?> setting = ServiceSetting.changeableNamed(field.getKey()).orElseThrow(() ->
                    new InvalidChange("unknown setting '" + field.getKey() + "'; known: "
                            + ServiceSetting.CHANGEABLE.stream().map(ServiceSetting::name)
                                    .collect(Collectors.joining(", "))));
            next = next.changedBy(setting, field.getValue(), service);
        }
        return next;
    }

    private <D> ServiceOverrides changedBy(ServiceSetting<?, D> setting, JsonNode value, ServiceManifest service) {
        return with(setting, setting.parse(value, get(setting), service));
    }

    /** The stored form: {@code name}, then the changed settings in {@link ServiceSetting#STORED_ORDER}. */
    @JsonValue
    public ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        if (name != null) {
            json.put("name", name);
        }
        for (ServiceSetting<?, ?> setting : ServiceSetting.STORED_ORDER) {
            Object value = changed.get(setting);
            if (value != null) {
                json.set(setting.storedField(), Json.MAPPER.valueToTree(value));
            }
        }
        return json;
    }

    /** Reads the stored form; a field of the wrong type fails the whole record, as it did before this table. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ServiceOverrides fromJson(ObjectNode json) {
        JsonNode name = json.get("name");
        Map<ServiceSetting<?, ?>, Object> changed = new HashMap<>();
        for (ServiceSetting<?, ?> setting : ServiceSetting.CHANGEABLE) {
            JsonNode value = json.get(setting.storedField());
            if (value != null && !value.isNull()) {
                try {
                    changed.put(setting, Json.MAPPER.treeToValue(value, setting.storedType()));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(setting.storedField() + ": " + e.getOriginalMessage(), e);
                }
            }
        }
        return new ServiceOverrides(name == null || name.isNull() ? null : name.asText(), changed);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ServiceOverrides that && Objects.equals(name, that.name)
                && changed.equals(that.changed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, changed);
    }

    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "ServiceOverrides[" + name + ": ", "]");
        for (ServiceSetting<?, ?> setting : ServiceSetting.STORED_ORDER) {
            if (changed.containsKey(setting)) {
                out.add(setting.name() + "=" + changed.get(setting));
            }
        }
        return out.toString();
    }

    /** A {@code PATCH} that cannot be applied: an unknown setting, or a value that cannot be used. */
    public static final class InvalidChange extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidChange(String message) {
            super(message);
        }
    }
}
