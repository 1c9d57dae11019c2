package dev.ferry.schemas.journal;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.ferry.schemas.Payload;

/**
 * One entry of a virtual object's or workflow's state, as the service protocol has them: bytes for key and value,
 * always written as base64, so that they are read back exactly (a JSON value read back would be normalised).
 */
public record StateEntry(
        @JsonSerialize(using = Payload.Base64Writer.class) Payload key,
        @JsonSerialize(using = Payload.Base64Writer.class) Payload value) {
    public StateEntry {
        key = key == null ? Payload.EMPTY : key;
        value = value == null ? Payload.EMPTY : value;
    }
}
