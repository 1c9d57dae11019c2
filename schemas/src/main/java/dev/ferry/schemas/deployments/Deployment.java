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
 * @param protocol how a service written with a Restate SDK is called (Restate's service protocol); null for Ferry's
 *     plain HTTP contract, as every deployment registered before Ferry knew the protocol
 */
public record Deployment(String id, String uri, long createdAt, int revision, List<ServiceManifest> services,
        String signingKey, ServiceProtocol protocol) {
    public Deployment {
        services = services == null ? List.of() : List.copyOf(services);
    }

    public Deployment(String id, String uri, long createdAt, int revision, List<ServiceManifest> services,
            String signingKey) {
        this(id, uri, createdAt, revision, services, signingKey, null);
    }

    public Deployment(String id, String uri, long createdAt, int revision, List<ServiceManifest> services) {
        this(id, uri, createdAt, revision, services, null, null);
    }

    public Deployment withSigningKey(String key) {
        return new Deployment(id, uri, createdAt, revision, services, key, protocol);
    }

    /** True when the deployment speaks Restate's service protocol rather than Ferry's plain HTTP contract. */
    public boolean speaksServiceProtocol() {
        return protocol != null;
    }

    @Override
    public String toString() { // keeps the key out of logs
        return "Deployment[id=" + id + ", uri=" + uri + ", revision=" + revision + ", services=" + services.size()
                + (signingKey != null ? ", signed" : "")
                + (protocol != null ? ", service protocol v" + protocol.version() : "") + "]";
    }
}
