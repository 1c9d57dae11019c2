package dev.ferry.schemas.dispatch;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ferry.schemas.InvocationId;

/**
 * A record on the dispatch topic, keyed by invocation id (so an abort lands on the partition, and with it the
 * dispatcher, of the attempt it stops). The {@code type} property names it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Dispatch.class, name = "Dispatch"),
    @JsonSubTypes.Type(value = AbortAttempt.class, name = "AbortAttempt"),
})
public sealed interface DispatcherCommand permits Dispatch, AbortAttempt {
    InvocationId invocationId();

    int attempt();
}
