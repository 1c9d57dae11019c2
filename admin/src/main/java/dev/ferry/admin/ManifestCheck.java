package dev.ferry.admin;

import dev.ferry.registry.InputRules;
import dev.ferry.registry.Registry;
import dev.ferry.schemas.deployments.EndpointManifest;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks an endpoint manifest before it enters the registry, with every problem named. */
final class ManifestCheck {
    private static final Pattern SERVICE_NAME = Pattern.compile("^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9._-]*$");
    private static final Pattern HANDLER_NAME = Pattern.compile("^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9_]*$");

    private ManifestCheck() {}

    /** The problems of {@code manifest}, empty when it can be registered beside what {@code registry} holds. */
    static List<String> problems(EndpointManifest manifest, Registry registry, String uri) {
        List<String> problems = new ArrayList<>();
        if (manifest.services().isEmpty()) {
            problems.add("the endpoint declares no services");
        }
        Set<String> names = new HashSet<>();
        for (ServiceManifest service : manifest.services()) {
            String name = service.name();
            if (name == null || !SERVICE_NAME.matcher(name).matches()) {
                problems.add("invalid service name '" + name + "': it must match " + SERVICE_NAME.pattern());
                continue;
            }
            if (!names.add(name)) {
                problems.add("service '" + name + "' is declared twice");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("restate") || lower.equals("openapi")) {
                problems.add("cannot insert/modify service '" + name + "' as it contains a reserved name");
            }
            if (service.ty() == null) {
                problems.add("service '" + name + "' has no type (ty: SERVICE, VIRTUAL_OBJECT or WORKFLOW)");
                continue;
            }
            registry.service(name)
                    .filter(existing -> existing.manifest().ty() != service.ty()
                            && !existing.deployment().uri().equals(uri))
                    .ifPresent(existing -> problems.add("service '" + name + "' is already registered as a "
                            + existing.manifest().ty() + " by deployment " + existing.deployment().id()
                            + "; it cannot become a " + service.ty()));
            if (service.retryPolicyOnMaxAttempts() != null
                    && !Set.of("PAUSE", "KILL").contains(service.retryPolicyOnMaxAttempts())) {
                problems.add("service '" + name + "': retryPolicyOnMaxAttempts must be PAUSE or KILL");
            }
            checkHandlers(service, problems);
        }
        return problems;
    }

    private static void checkHandlers(ServiceManifest service, List<String> problems) {
        Set<String> names = new HashSet<>();
        for (HandlerManifest handler : service.handlers()) {
            String where = "service '" + service.name() + "', handler '" + handler.name() + "'";
            if (handler.name() == null || !HANDLER_NAME.matcher(handler.name()).matches()) {
                problems.add(where + ": invalid handler name, it must match " + HANDLER_NAME.pattern());
                continue;
            }
            if (!names.add(handler.name())) {
                problems.add(where + ": declared twice");
            }
            if (!validCombination(service.ty(), handler.ty())) {
                problems.add(where + ": invalid combination of service type and handler type '(" + service.ty()
                        + ", " + handler.ty() + ")'");
            }
            if (handler.input() != null && handler.input().contentType() != null) {
                try {
                    InputRules.ContentTypePattern.parse(handler.input().contentType());
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
            }
            if (handler.workflowCompletionRetention() != null
                    && handler.effectiveType(service.ty()) != HandlerType.WORKFLOW) {
                problems.add(where + ": workflowCompletionRetention is only valid on a workflow's run handler");
            }
        }
    }

    private static boolean validCombination(ServiceType service, HandlerType handler) {
        return switch (service) {
            case SERVICE -> handler == null || handler == HandlerType.SHARED;
            case VIRTUAL_OBJECT -> handler == null || handler == HandlerType.EXCLUSIVE || handler == HandlerType.SHARED;
            case WORKFLOW -> handler == null || handler == HandlerType.SHARED || handler == HandlerType.WORKFLOW;
        };
    }
}
