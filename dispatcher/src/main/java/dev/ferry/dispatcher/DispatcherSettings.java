package dev.ferry.dispatcher;

import dev.ferry.schemas.RecordLimits;
import java.time.Duration;

/**
 * The dispatcher's tunables.
 *
 * @param maxInFlight open calls at most; beyond it the dispatcher stops taking attempts until one ends
 * @param connectTimeout how long to wait for a connection to a service endpoint
 * @param signingKey the key requests are signed with when their deployment has none; null: unsigned
 * @param limits the largest body (a service's response larger than it is a terminal failure), and record sizes
 */
public record DispatcherSettings(int maxInFlight, Duration connectTimeout, String signingKey, RecordLimits limits) {
    public DispatcherSettings(int maxInFlight, Duration connectTimeout, String signingKey) {
        this(maxInFlight, connectTimeout, signingKey, RecordLimits.DEFAULT);
    }

    @Override
    public String toString() { // keeps the key out of logs
        return "DispatcherSettings[maxInFlight=" + maxInFlight + ", connectTimeout=" + connectTimeout
                + (signingKey != null ? ", signed" : "") + "]";
    }
}
