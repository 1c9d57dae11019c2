package dev.ferry.schemas.journal;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.ferry.schemas.Payload;

/**
 * One entry of the journal of an invocation of a service written with a Restate SDK: a message of Restate's service
 * protocol (a command the service wrote, or a notification Ferry wrote for it), kept as its exact bytes so that the
 * journal is replayed byte for byte.
 *
 * @param type the message type id (the frame header's {@code type}, {@code 0x0400} for the input command, ...)
 * @param message the message's protobuf bytes, without the frame header; always written as base64, so that they
 *     are read back exactly
 */
public record JournalEntry(int type, @JsonSerialize(using = Payload.Base64Writer.class) Payload message) {
    public JournalEntry {
        message = message == null ? Payload.EMPTY : message;
    }
}
