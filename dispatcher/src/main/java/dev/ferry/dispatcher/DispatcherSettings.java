package dev.ferry.dispatcher;

import java.time.Duration;

/**
 * The dispatcher's tunables.
 *
 * @param maxInFlight open calls at most; beyond it the dispatcher stops taking attempts until one ends
 * @param connectTimeout how long to wait for a connection to a service endpoint
 */
public record DispatcherSettings(int maxInFlight, Duration connectTimeout) {}
