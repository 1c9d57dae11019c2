package dev.ferry.registry;

import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.Subscription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of the registry: the deployments and, for each service name, the deployment that serves
 * it (the one registered or updated last among those that declare it, as in Restate).
 */
public final class Registry {
    public static final Registry EMPTY = new Registry(Map.of(), Map.of(), Map.of(), Map.of());

    /** Deployments by id, with the log position of their latest record (later wins). */
    private final Map<String, Positioned> deployments;
    private final Map<String, RegisteredService> services;
    private final Map<String, ServiceOverrides> overrides;
    private final Map<String, Subscription> subscriptions;

    private record Positioned(Deployment deployment, long position) {}

    private Registry(Map<String, Positioned> deployments, Map<String, RegisteredService> services,
            Map<String, ServiceOverrides> overrides, Map<String, Subscription> subscriptions) {
        this.deployments = deployments;
        this.services = services;
        this.overrides = overrides;
        this.subscriptions = subscriptions;
    }

    /** This registry with {@code deployment} added or replaced, its record being at log {@code position}. */
    public Registry with(Deployment deployment, long position) {
        Map<String, Positioned> next = new HashMap<>(deployments);
        next.put(deployment.id(), new Positioned(deployment, position));
        return of(next, overrides, subscriptions);
    }

    public Registry without(String deploymentId) {
        if (!deployments.containsKey(deploymentId)) {
            return this;
        }
        Map<String, Positioned> next = new HashMap<>(deployments);
        next.remove(deploymentId);
        return of(next, overrides, subscriptions);
    }

    /** This registry with the operator's settings for one service replaced. */
    public Registry with(ServiceOverrides serviceOverrides) {
        Map<String, ServiceOverrides> next = new HashMap<>(overrides);
        next.put(serviceOverrides.name(), serviceOverrides);
        return new Registry(deployments, services, Map.copyOf(next), subscriptions);
    }

    public Registry withoutOverrides(String serviceName) {
        Map<String, ServiceOverrides> next = new HashMap<>(overrides);
        next.remove(serviceName);
        return new Registry(deployments, services, Map.copyOf(next), subscriptions);
    }

    public Registry with(Subscription subscription) {
        Map<String, Subscription> next = new HashMap<>(subscriptions);
        next.put(subscription.id(), subscription);
        return new Registry(deployments, services, overrides, Map.copyOf(next));
    }

    public Registry withoutSubscription(String subscriptionId) {
        Map<String, Subscription> next = new HashMap<>(subscriptions);
        next.remove(subscriptionId);
        return new Registry(deployments, services, overrides, Map.copyOf(next));
    }

    public Optional<Subscription> subscription(String id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    /** The subscriptions, oldest first. */
    public List<Subscription> subscriptions() {
        return subscriptions.values().stream()
                .sorted(Comparator.comparingLong(Subscription::createdAt).thenComparing(Subscription::id))
                .toList();
    }

    private static Registry of(Map<String, Positioned> deployments, Map<String, ServiceOverrides> overrides,
            Map<String, Subscription> subscriptions) {
        Map<String, RegisteredService> services = new LinkedHashMap<>();
        deployments.values().stream()
                .sorted(Comparator.comparingLong(Positioned::position))
                .forEach(p -> p.deployment().services()
                        .forEach(s -> services.put(s.name(), new RegisteredService(s, p.deployment()))));
        return new Registry(Map.copyOf(deployments), services, overrides, subscriptions);
    }

    /** The operator's settings for a service; all null when none were changed. */
    public ServiceOverrides overrides(String serviceName) {
        return overrides.getOrDefault(serviceName, ServiceOverrides.none(serviceName));
    }

    /** The settings in force for a service: {@code defaults}, then its manifest, then the operator's changes. */
    public ServiceSettings settings(String serviceName, ServiceSettings defaults) {
        return settings(serviceName, null, defaults);
    }

    /**
     * The settings in force for one handler: {@code defaults}, then the service's manifest, then the handler's
     * own declarations, then the operator's changes to the service.
     */
    public ServiceSettings settings(String serviceName, String handlerName, ServiceSettings defaults) {
        ServiceManifest service = service(serviceName).map(RegisteredService::manifest).orElse(null);
        HandlerManifest handler = service == null || handlerName == null ? null : service.handler(handlerName);
        return defaults.overriddenBy(service, handler, overrides(serviceName));
    }

    public Optional<RegisteredService> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /** The services, sorted by name. */
    public List<RegisteredService> services() {
        List<RegisteredService> sorted = new ArrayList<>(services.values());
        sorted.sort(Comparator.comparing(RegisteredService::name));
        return sorted;
    }

    public Optional<Deployment> deployment(String id) {
        return Optional.ofNullable(deployments.get(id)).map(Positioned::deployment);
    }

    /** The deployments, oldest first. */
    public List<Deployment> deployments() {
        Collection<Positioned> all = deployments.values();
        return all.stream()
                .map(Positioned::deployment)
                .sorted(Comparator.comparingLong(Deployment::createdAt).thenComparing(Deployment::id))
                .toList();
    }

    public Optional<Deployment> deploymentByUri(String uri) {
        return deployments.values().stream()
                .map(Positioned::deployment)
                .filter(d -> d.uri().equals(uri))
                .findFirst();
    }
}
