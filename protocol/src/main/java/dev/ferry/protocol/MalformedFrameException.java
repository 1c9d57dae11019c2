package dev.ferry.protocol;

/**
 * Bytes that are not a well-formed stream of protocol frames, or a frame whose body is not the message its type
 * names. The message says where the bytes went wrong (e.g. "the bytes end inside the body of a frame of type 0x0411:
 * 3 of 6 bytes").
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public final class MalformedFrameException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
