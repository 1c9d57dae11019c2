package dev.ferry.schemas.journal;

import dev.ferry.schemas.Payload;

/**
 * One entry of the journal of an invocation of a service written with a Restate SDK: a message of Restate's service
 * protocol (a command the service wrote, or a notification Ferry wrote for it), kept as its exact bytes so that the
 * journal is replayed byte for byte.
 *
 * @param type the message type id (the frame header's {@code type}, {@code 0x0400} for the input command, ...)
 * @param message the message's protobuf bytes, without the frame header
 */
public record JournalEntry(int type, Payload message) {
    public JournalEntry {
        message = message == null ? Payload.EMPTY : message;
    }
}
