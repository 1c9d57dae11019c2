package dev.ferry.schemas.deployments;

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

    public HandlerManifest handler(String handlerName) {
        for (HandlerManifest handler : handlers) {
            if (handler.name().equals(handlerName)) {
                return handler;
            }
        }
        return null;
    }
}
