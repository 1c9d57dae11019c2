package dev.ferry.schemas;

import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import java.util.Objects;

/**
 * What an invocation calls: a handler of a service, and for virtual objects and workflows the object key or
 * workflow id. The service and handler types are resolved from the registry when the invocation is submitted; a
 * record from a direct producer may leave them out ({@code serviceType} null), and the processor resolves them.
 *
 * @param key the object key or workflow id; null for plain services
 * @param handlerType null for handlers of plain services
 */
public record Target(String service, ServiceType serviceType, String handler, HandlerType handlerType, String key) {
    public Target {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(handler, "handler");
        if (serviceType != null && serviceType.keyed() != (key != null)) {
            throw new IllegalArgumentException(serviceType.keyed()
                    ? "a " + serviceType + " target needs a key"
                    : "a plain service target has no key");
        }
    }

    public static Target service(String service, String handler) {
        return new Target(service, ServiceType.SERVICE, handler, null, null);
    }

    /** True once the service and handler types are known (always, except on a direct producer's record). */
    public boolean resolved() {
        return serviceType != null;
    }

    /** True when the invocation must hold its key's lock: exclusive object handlers and workflow runs. */
    public boolean exclusive() {
        return handlerType == HandlerType.EXCLUSIVE || handlerType == HandlerType.WORKFLOW;
    }

    public boolean workflowRun() {
        return handlerType == HandlerType.WORKFLOW;
    }

    /** Restate's display form: {@code Service/handler} or {@code Object/key/handler}. */
    @Override
    public String toString() {
        return key == null ? service + "/" + handler : service + "/" + key + "/" + handler;
    }
}
