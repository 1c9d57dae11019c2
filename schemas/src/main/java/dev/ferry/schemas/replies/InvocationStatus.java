package dev.ferry.schemas.replies;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where an invocation is in its life, named as Restate's {@code sys_invocation.status} names them. The one place
 * the names are written: the processor's stores, the admin API's answers and its {@code status} filter use these.
 */
public enum InvocationStatus {
    /** Waiting for its start time (a delayed send). */
    SCHEDULED("scheduled"),
    /** Waiting in its object key's inbox for the exclusive invocation ahead of it. */
    INBOXED("inboxed"),
    /** An attempt is dispatched and a dispatcher holds its lease. */
    RUNNING("running"),
    /**
     * A handler written with a Restate SDK waits for something its journal does not have yet (a timer, a call's
     * result, an awakeable, a promise); no attempt runs until it comes.
     */
    SUSPENDED("suspended"),
    /** The last attempt failed; the next one is timed. */
    BACKING_OFF("backing-off"),
    /** Every attempt the retry policy allows failed; waiting for an operator to resume or kill it. */
    PAUSED("paused"),
    /** Ended with a result or a terminal failure, kept until its retention ends. */
    COMPLETED("completed");

    private final String wire;

    InvocationStatus(String wire) {
        this.wire = wire;
    }

    /** The name as Restate writes it ({@code backing-off}, ...). */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The status of that name; empty for a name that is none. */
    public static Optional<InvocationStatus> fromWire(String name) {
        return Arrays.stream(values()).filter(status -> status.wire.equals(name)).findFirst();
    }

    /** Every name, in the order of an invocation's life. */
    public static List<String> names() {
        return Arrays.stream(values()).map(InvocationStatus::wire).toList();
    }
}
