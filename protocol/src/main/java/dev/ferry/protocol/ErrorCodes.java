package dev.ferry.protocol;

/**
 * The codes of {@code ErrorMessage} and {@code Failure} that the protocol itself gives a meaning to. Other codes are
 * HTTP status codes.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public final class ErrorCodes {
    private ErrorCodes() {}

    /** The handler's code took another path than the journal records: replaying cannot go on. */
    public static final int JOURNAL_MISMATCH = 570;
    /** The SDK got a message it did not expect in its state (e.g. the body ended before the announced journal). */
    public static final int PROTOCOL_VIOLATION = 571;
    /** The failure of an operation cancelled by the cancel signal. */
    public static final int CANCELLED = 409;
}
