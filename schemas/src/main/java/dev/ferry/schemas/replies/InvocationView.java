package dev.ferry.schemas.replies;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Failure;
import java.time.Instant;

/**
 * What the admin API shows of an invocation ({@code GET /invocations}, {@code GET /invocations/{id}}): the columns
 * Restate's {@code sys_invocation} table has, as JSON. Times are RFC 3339; absent fields are left out.
 *
 * @param attempts attempts started so far
 * @param nextRetryAt when a backing-off invocation's next attempt starts
 * @param scheduledAt when a delayed invocation may start
 * @param retainedUntil when a completed invocation is forgotten
 * @param completionResult {@code success} or {@code failure} once completed
 */
public record InvocationView(
        InvocationId id,
        String target,
        String service,
        String handler,
        String key,
        @JsonProperty("idempotency_key") String idempotencyKey,
        String status,
        int attempts,
        @JsonProperty("last_failure") Failure lastFailure,
        @JsonProperty("next_retry_at") String nextRetryAt,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("scheduled_at") String scheduledAt,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("completed_at") String completedAt,
        @JsonProperty("retained_until") String retainedUntil,
        @JsonProperty("completion_result") String completionResult,
        @JsonProperty("completion_failure") Failure completionFailure,
        @JsonProperty("created_at_millis") long createdAtMillis) {

    public static String time(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
