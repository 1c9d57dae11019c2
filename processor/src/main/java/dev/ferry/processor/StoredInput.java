package dev.ferry.processor;

import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.Payload;
import java.util.List;

/** The request of an invocation that has not completed yet (the value of the inputs store). */
public record StoredInput(String contentType, List<Header> headers, Payload body) {
    public StoredInput {
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? Payload.EMPTY : body;
    }
}
