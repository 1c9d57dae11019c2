package dev.ferry.schemas.deployments;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * When the processor runs a failed attempt again. Defaults follow Restate's: 500 ms, then ×2 per attempt up to
 * one minute between attempts, 70 attempts in all, then the invocation is paused.
 *
 * @param maxAttempts attempts in all, the first one included; null for no limit
 */
public record RetryPolicy(
        @JsonProperty("initial_interval") Duration initialInterval,
        @JsonProperty("exponentiation_factor") double factor,
        @JsonProperty("max_interval") Duration maxInterval,
        @JsonProperty("max_attempts") Integer maxAttempts,
        @JsonProperty("on_max_attempts") OnMaxAttempts onMaxAttempts) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(Duration.ofMillis(500), 2.0, Duration.ofMinutes(1), 70, OnMaxAttempts.PAUSE);

    /** What happens after the last attempt failed. */
    public enum OnMaxAttempts {
        /** Keep the invocation, paused, for an operator to resume or kill. */
        PAUSE,
        /** End the invocation with its last failure. */
        KILL
    }

    /** The wait after attempt {@code failedAttempt} (1 for the first) failed, before the next one starts. */
    public Duration delayAfter(int failedAttempt) {
        double millis = initialInterval.toMillis() * Math.pow(factor, Math.max(0, failedAttempt - 1));
        return Duration.ofMillis((long) Math.min(millis, maxInterval.toMillis()));
    }

    /** True when no attempt may follow attempt {@code failedAttempt}. */
    public boolean exhaustedAfter(int failedAttempt) {
        return maxAttempts != null && failedAttempt >= maxAttempts;
    }
}
