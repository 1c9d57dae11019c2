package dev.ferry.dispatcher;

import java.time.Duration;

/**
 * The dispatcher's tunables.
 *
 * @param maxInFlight open calls at most; beyond it the dispatcher stops taking attempts until one ends
 * @param requestTimeout the longest one call may take before it is aborted and retried; null for no limit
 */
public record DispatcherSettings(int maxInFlight, Duration connectTimeout, Duration requestTimeout) {}
