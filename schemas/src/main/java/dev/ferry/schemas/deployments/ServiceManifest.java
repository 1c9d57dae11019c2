package dev.ferry.schemas.deployments;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/** One service of an endpoint manifest (Restate's field names; durations in milliseconds). */
public record ServiceManifest(
        String name,
        String documentation,
        ServiceType ty,
        List<HandlerManifest> handlers,
        Long inactivityTimeout,
        Long abortTimeout,
        Long journalRetention,
        Long idempotencyRetention,
        Long workflowCompletionRetention,
        Boolean enableLazyState,
        Boolean ingressPrivate,
        Long retryPolicyInitialInterval,
        Long retryPolicyMaxInterval,
        Integer retryPolicyMaxAttempts,
        Double retryPolicyExponentiationFactor,
        String retryPolicyOnMaxAttempts,
        Map<String, String> metadata) {
    public ServiceManifest {
        handlers = handlers == null ? List.of() : List.copyOf(handlers);
    }

    /**
     * Whether the ingress may invoke the service: unless its manifest says {@code ingressPrivate: true}. A private
     * service's handlers are called only by other handlers. (Not a field of the manifest: left out of its JSON.)
     */
    @JsonIgnore
    public boolean isPublic() {
        return !Boolean.TRUE.equals(ingressPrivate);
    }

    /**
     * Whether the ingress may invoke this handler of the service: the handler's own {@code ingressPrivate} when it
     * has one, else the service's, as Restate resolves a handler's visibility (its schema registry's
     * {@code resolve_latest_invocation_target}, {@code public: handler.public.unwrap_or(service.public)}).
     */
    public boolean isPublic(HandlerManifest handler) {
        return handler.ingressPrivate() == null ? isPublic() : !handler.ingressPrivate();
    }

    public HandlerManifest handler(String handlerName) {
        for (HandlerManifest handler : handlers) {
            if (handler.name().equals(handlerName)) {
                return handler;
            }
        }
        return null;
    }
}
