package dev.ferry.registry;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Manifests for tests: declaring nothing, or the settings a test needs. */
final class Manifests {
    private Manifests() {}

    static ServiceManifest service(String name, ServiceType type, HandlerManifest... handlers) {
        return new ServiceManifest(name, null, type, List.of(handlers), null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    static HandlerManifest handler(String name, HandlerType type) {
        return new HandlerManifest(name, null, type, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A service's manifest as an endpoint declares it (Restate's field names, durations in milliseconds). */
    static ServiceManifest service(String json) {
        try {
            return Json.MAPPER.readValue(json, ServiceManifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
