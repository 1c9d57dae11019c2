package dev.ferry.registry;

import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.ServiceManifest;

/** A service as the registry resolves it: its manifest, from the deployment that serves it now. */
public record RegisteredService(ServiceManifest manifest, Deployment deployment) {
    public String name() {
        return manifest.name();
    }

    public HandlerManifest handler(String handlerName) {
        return manifest.handler(handlerName);
    }
}
