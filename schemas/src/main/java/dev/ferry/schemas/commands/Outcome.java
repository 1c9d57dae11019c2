package dev.ferry.schemas.commands;

import dev.ferry.schemas.Payload;

/**
 * How an invocation ended: exactly one of {@code success} (the handler's status, content type and body) and
 * {@code failure} (a terminal failure with its code and message).
 */
public record Outcome(Success success, Failure failure) {
    public Outcome {
        if ((success == null) == (failure == null)) {
            throw new IllegalArgumentException("an outcome is either a success or a failure");
        }
    }

    public static Outcome success(int status, String contentType, Payload body) {
        return new Outcome(new Success(status, contentType, body), null);
    }

    public static Outcome failure(int code, String message) {
        return new Outcome(null, new Failure(code, message));
    }

    public boolean succeeded() {
        return success != null;
    }

    /** @param contentType null when the handler answered without one (an empty body) */
    public record Success(int status, String contentType, Payload body) {
        public Success {
            body = body == null ? Payload.EMPTY : body;
        }
    }
}
