package dev.ferry.processor;

import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.Payload;
import java.util.List;

/**
 * The request of an invocation that has not completed yet: in its {@link InvocationState} when it is small, else the
 * value of the inputs store.
 */
public record StoredInput(String contentType, List<Header> headers, Payload body) {
    public StoredInput {
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? Payload.EMPTY : body;
    }

    /** About how much it takes in a record: the body, the content type and the headers' names and values. */
    int size() {
        int size = body.size() + (contentType == null ? 0 : contentType.length());
        for (Header header : headers) {
            size += header.name().length() + header.value().length();
        }
        return size;
    }
}
