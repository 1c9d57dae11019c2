package dev.ferry.processor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where an invocation is in its life, named as Restate's {@code sys_invocation.status} names them. */
public enum InvocationStatus {
    /** Waiting for its start time (a delayed send). */
    @JsonProperty("scheduled")
    SCHEDULED,
    /** Waiting in its object key's inbox for the exclusive invocation ahead of it. */
    @JsonProperty("inboxed")
    INBOXED,
    /** An attempt is dispatched and a dispatcher holds its lease. */
    @JsonProperty("running")
    RUNNING,
    /** The last attempt failed; the next one is timed. */
    @JsonProperty("backing-off")
    BACKING_OFF,
    /** Every attempt the retry policy allows failed; waiting for an operator to resume or kill it. */
    @JsonProperty("paused")
    PAUSED,
    /** Ended with a result or a terminal failure, kept until its retention ends. */
    @JsonProperty("completed")
    COMPLETED
}
