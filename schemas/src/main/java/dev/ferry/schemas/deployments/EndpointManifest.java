package dev.ferry.schemas.deployments;

import java.util.List;

/**
 * What a service endpoint declares about itself, in the JSON shape of Restate's endpoint manifest: served by
 * {@code GET {uri}/discover}, or given inline when a deployment is registered. Durations are milliseconds.
 */
public record EndpointManifest(
        String protocolMode, Integer minProtocolVersion, Integer maxProtocolVersion, List<ServiceManifest> services) {
    public EndpointManifest {
        services = services == null ? List.of() : List.copyOf(services);
    }
}
