package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;

/**
 * A notification for the journal of an invocation of a service written with a Restate SDK, from outside it: an
 * awakeable resolved or rejected, the result of a call it made. Exactly one of {@code completionId},
 * {@code signalIndex} and {@code signalName} says which of its commands or signals it completes; the result is
 * {@code failure} when given, else {@code value} (empty for none), or no result at all when {@code noResult} (the
 * output of an invocation that has not completed yet). An invocation that is gone, or does not know the
 * completion, ignores it.
 */
public record Notify(
        InvocationId invocationId,
        Integer completionId,
        Integer signalIndex,
        String signalName,
        Payload value,
        Failure failure,
        boolean noResult)
        implements Command {
    public Notify {
        value = value == null ? Payload.EMPTY : value;
        int given = (completionId != null ? 1 : 0) + (signalIndex != null ? 1 : 0) + (signalName != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException(
                    "a notification names exactly one of completionId, signalIndex and signalName");
        }
    }

    /** A notification with a result: a value, or a failure. */
    public Notify(InvocationId invocationId, Integer completionId, Integer signalIndex, String signalName,
            Payload value, Failure failure) {
        this(invocationId, completionId, signalIndex, signalName, value, failure, false);
    }
}
