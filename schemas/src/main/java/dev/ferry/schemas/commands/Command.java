package dev.ferry.schemas.commands;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ferry.schemas.InvocationId;

/**
 * A record on the command log ({@code ferry.log}). Everything that changes an invocation is one of these, so
 * the history of a partition is one ordered sequence of commands and the processor is a state machine over it.
 * The {@code type} property names the command.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Invoke.class, name = "Invoke"),
    @JsonSubTypes.Type(value = Completion.class, name = "Completion"),
    @JsonSubTypes.Type(value = AttemptFailed.class, name = "AttemptFailed"),
    @JsonSubTypes.Type(value = RenewLease.class, name = "RenewLease"),
    @JsonSubTypes.Type(value = FireTimer.class, name = "FireTimer"),
    @JsonSubTypes.Type(value = Attach.class, name = "Attach"),
    @JsonSubTypes.Type(value = GetOutput.class, name = "GetOutput"),
    @JsonSubTypes.Type(value = Cancel.class, name = "Cancel"),
    @JsonSubTypes.Type(value = Kill.class, name = "Kill"),
    @JsonSubTypes.Type(value = Purge.class, name = "Purge"),
    @JsonSubTypes.Type(value = Resume.class, name = "Resume"),
    @JsonSubTypes.Type(value = Detach.class, name = "Detach"),
    @JsonSubTypes.Type(value = JournalAppend.class, name = "JournalAppend"),
    @JsonSubTypes.Type(value = Notify.class, name = "Notify"),
    @JsonSubTypes.Type(value = AttachFromHandler.class, name = "AttachFromHandler"),
})
public sealed interface Command
        permits Invoke, Completion, AttemptFailed, RenewLease, FireTimer, Attach, GetOutput, Cancel, Kill, Purge,
                Resume, Detach, JournalAppend, Notify, AttachFromHandler {
    /** The invocation the command is about, which names its partition. */
    InvocationId invocationId();
}
