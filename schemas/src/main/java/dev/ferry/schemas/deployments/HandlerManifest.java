package dev.ferry.schemas.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** One handler of a service in an endpoint manifest (Restate's field names; durations in milliseconds). */
public record HandlerManifest(
        String name,
        String documentation,
        HandlerType ty,
        Input input,
        Output output,
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

    /**
     * The handler's type as Restate resolves a missing {@code ty}: exclusive on virtual objects, shared on
     * workflows (only {@code run}-style handlers declare WORKFLOW), none on plain services.
     */
    public HandlerType effectiveType(ServiceType serviceType) {
        return switch (serviceType) {
            case SERVICE -> null;
            case VIRTUAL_OBJECT -> ty == null ? HandlerType.EXCLUSIVE : ty;
            case WORKFLOW -> ty == null ? HandlerType.SHARED : ty;
        };
    }

    /**
     * What the handler accepts.
     *
     * @param required a body with a content type must be sent
     * @param contentType the accepted content type, Accept-style wildcards allowed; null when no body is expected
     */
    public record Input(Boolean required, String contentType, JsonNode jsonSchema) {}

    /** What the handler answers with. */
    public record Output(String contentType, Boolean setContentTypeIfEmpty, JsonNode jsonSchema) {}
}
