package dev.ferry.schemas.deployments;

import java.util.List;

/**
 * A registered service endpoint, one compacted record per deployment on the deployments topic (key: the id;
 * a tombstone removes it). Every component builds its view of the registry from these records.
 *
 * @param uri the endpoint's base URL; handlers are called at {@code {uri}/invoke/{Service}/{handler}}
 * @param createdAt epoch milliseconds of the first registration
 * @param revision 1 at registration, +1 each time the same URI is registered with a changed manifest
 * @param signingKey the key dispatchers sign requests to this endpoint with ({@link dev.ferry.schemas.dispatch.RequestSignature});
 *     null: the global key, if any. Never shown by the admin API.
 */
public record Deployment(String id, String uri, long createdAt, int revision, List<ServiceManifest> services,
        String signingKey) {
    public Deployment {
        services = services == null ? List.of() : List.copyOf(services);
    }

    public Deployment(String id, String uri, long createdAt, int revision, List<ServiceManifest> services) {
        this(id, uri, createdAt, revision, services, null);
    }

    public Deployment withSigningKey(String key) {
        return new Deployment(id, uri, createdAt, revision, services, key);
    }

    @Override
    public String toString() { // keeps the key out of logs
        return "Deployment[id=" + id + ", uri=" + uri + ", revision=" + revision + ", services=" + services.size()
                + (signingKey != null ? ", signed" : "") + "]";
    }
}
