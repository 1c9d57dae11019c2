package dev.ferry.registry;

import dev.ferry.schemas.Target;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.util.Optional;

/**
 * Turns "service + handler (+ key)" into the target of an invocation, through the registry: the one path the
 * ingress, subscriptions and the processor (for direct producers' records) all take. Each of them words a refusal
 * its own way (Restate's ingress messages, a dead-letter reason), from the {@link Resolution} it gets.
 */
public final class Targets {
    /** Restate's answer to an idempotency key on a workflow's run handler. */
    public static final String KEY_ON_WORKFLOW = "cannot use the idempotency key with workflow handlers. "
            + "The handler invocation will already be idempotent by the workflow key itself.";

    private Targets() {}

    /** What a requested target resolved to. */
    public sealed interface Resolution permits Resolved, UnknownService, UnknownHandler, WrongServiceType,
            KeyMissing, KeyNotExpected {}

    /** A target with the service's and the handler's types from the registry. */
    public record Resolved(RegisteredService service, Target target) implements Resolution {}

    /** No service of that name is registered. */
    public record UnknownService(String service) implements Resolution {}

    /** The service has no handler of that name. */
    public record UnknownHandler(RegisteredService service, String handler) implements Resolution {}

    /** The submission said the service is of another type than it is. */
    public record WrongServiceType(RegisteredService service, ServiceType claimed) implements Resolution {}

    /** The service is a virtual object or a workflow, and no key was given. */
    public record KeyMissing(RegisteredService service) implements Resolution {}

    /** The service is a plain service, and a key was given. */
    public record KeyNotExpected(RegisteredService service) implements Resolution {}

    /**
     * @param key the object key or workflow id; null for none
     * @param claimedType the service type the submission states; null when it states none
     */
    public static Resolution resolve(Registry registry, String serviceName, String handlerName, String key,
            ServiceType claimedType) {
        Optional<RegisteredService> found = registry.service(serviceName);
        if (found.isEmpty()) {
            return new UnknownService(serviceName);
        }
        RegisteredService service = found.get();
        HandlerManifest handler = service.handler(handlerName);
        if (handler == null) {
            return new UnknownHandler(service, handlerName);
        }
        ServiceType type = service.manifest().ty();
        if (claimedType != null && claimedType != type) {
            return new WrongServiceType(service, claimedType);
        }
        if (type.keyed() && key == null) {
            return new KeyMissing(service);
        }
        if (!type.keyed() && key != null) {
            return new KeyNotExpected(service);
        }
        return new Resolved(service, of(service, handler, key));
    }

    /** The target of one of the service's handlers, with their types as the manifest declares them. */
    public static Target of(RegisteredService service, HandlerManifest handler, String key) {
        ServiceType type = service.manifest().ty();
        return new Target(service.name(), type, handler.name(), handler.effectiveType(type), key);
    }
}
