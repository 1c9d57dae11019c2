package dev.ferry.schemas.registry;

import java.util.List;

/**
 * A registered service endpoint, one compacted record per deployment on the deployments topic (key: the id;
 * a tombstone removes it). Every component builds its view of the registry from these records.
 *
 * @param uri the endpoint's base URL; handlers are called at {@code {uri}/invoke/{Service}/{handler}}
 * @param createdAt epoch milliseconds of the first registration
 * @param revision 1 at registration, +1 each time the same URI is registered with a changed manifest
 */
public record Deployment(String id, String uri, long createdAt, int revision, List<ServiceManifest> services) {
    public Deployment {
        services = services == null ? List.of() : List.copyOf(services);
    }
}
