package dev.ferry.schemas.journal;

import dev.ferry.schemas.Payload;

/** One entry of a virtual object's or workflow's state, as the service protocol has them: bytes for key and value. */
public record StateEntry(Payload key, Payload value) {
    public StateEntry {
        key = key == null ? Payload.EMPTY : key;
        value = value == null ? Payload.EMPTY : value;
    }
}
