package dev.ferry.http;

import io.helidon.common.mapper.MapperManager;

/**
 * Gives Helidon one mapper manager for the process, made once. Helidon 4.2 reads a header or query value as a number
 * through {@link MapperManager#global()}, and until one is set that asks the service registry on every call: the
 * server's own {@code Content-Length} read alone cost about 12 µs of CPU a request, one percent of a call at 32
 * connections (async-profiler, docs/performance.md). A manager set here answers from a field.
 *
 * <p>It must be set before anything uses Helidon's registry's mappers (the registry accepts it only then), so the
 * servers set it first thing; set later, Helidon logs a warning and keeps looking it up, which is only the old cost.
 */
public final class HelidonMappers {
    private static boolean set;

    private HelidonMappers() {}

    /** Sets the process's mapper manager, once; later calls do nothing. */
    public static synchronized void install() {
        if (!set) {
            set = true;
            MapperManager.global(MapperManager.create());
        }
    }
}
