package dev.ferry.protocol;

/**
 * Something a service, a client or a stored journal said does not follow Restate's service protocol. Each subclass
 * names what was wrong; the message says it in words an operator can act on.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
