package dev.ferry.schemas.replies;

/**
 * A position in the listing order of invocations (newest first: creation time descending, then invocation id
 * ascending), written {@code createdAt~invocationId} where clients see it ({@code next_before}).
 *
 * @param createdAt epoch milliseconds
 */
public record InvocationCursor(long createdAt, String invocationId) {
    private static final char SEPARATOR = '~';

    /** Parses {@code createdAt~invocationId}; a bare {@code createdAt} is the position just before that millisecond. */
    public static InvocationCursor parse(String text) {
        int separator = text.indexOf(SEPARATOR);
        String time = separator < 0 ? text : text.substring(0, separator);
        long createdAt;
        try {
            createdAt = Long.parseLong(time);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor: '" + time + "' is not a time in epoch milliseconds");
        }
        if (createdAt < 0) {
            throw new IllegalArgumentException("not a cursor: " + createdAt + " is before 1970");
        }
        return new InvocationCursor(createdAt, separator < 0 ? "" : text.substring(separator + 1));
    }

    @Override
    public String toString() {
        return Long.toString(createdAt) + SEPARATOR + invocationId;
    }
}
