package dev.ferry.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The versions of Restate's service protocol that Ferry speaks, and the choice of one for a service.
 *
 * <p>A service announces the range it speaks in its discovery manifest ({@code minProtocolVersion},
 * {@code maxProtocolVersion}); every invocation request then names the chosen version in its {@code content-type} and
 * {@code accept} headers ({@code application/vnd.restate.invocation.vN}), and the service answers with the same
 * content type. Version 5 introduced the journal of commands and notifications that Ferry implements; versions 1 and 2
 * are the older journal, 3 and 4 were withdrawn.
 *
 * <p>What changed between the versions Ferry speaks: v6 added {@code StartMessage.random_seed} and
 * {@code Failure.metadata}; v7 changed the layout of {@code SuspensionMessage} (a tree of futures), added
 * {@code AwaitingOnMessage}, {@code ProposeRunCompletionAckMessage}, {@code ErrorMessage.behavior}, and scopes, limit
 * keys and the idempotency key in {@code StartMessage} and the call commands.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public enum ProtocolVersion {
    V5(5),
    V6(6),
    V7(7);

    private static final String CONTENT_TYPE_PREFIX = "application/vnd.restate.invocation.v";

    private final int number;

    ProtocolVersion(int number) {
        this.number = number;
    }

    /** The oldest version Ferry speaks. */
    public static ProtocolVersion oldest() {
        return V5;
    }

    /** The newest version Ferry speaks. */
    public static ProtocolVersion newest() {
        return V7;
    }

    /** The version's number, as a manifest announces it. */
    public int number() {
        return number;
    }

    /** The content type of an invocation in this version, for the request's {@code content-type} and {@code accept}. */
    public String contentType() {
        return CONTENT_TYPE_PREFIX + number;
    }

    public boolean isAtLeast(ProtocolVersion other) {
        return compareTo(other) >= 0;
    }

    /** The version with this number, if Ferry speaks it. */
    public static Optional<ProtocolVersion> ofNumber(int number) {
        for (ProtocolVersion version : values()) {
            if (version.number == number) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /**
     * The version a content type names, if it is an invocation content type of a version Ferry speaks. Case and
     * surrounding blanks are ignored, and so are parameters after a {@code ;}, as HTTP allows; anything else (another
     * media type, {@code v4}, {@code v8}, a malformed number) gives empty.
     */
    public static Optional<ProtocolVersion> fromContentType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String mediaType = stripParameters(contentType).toLowerCase(Locale.ROOT);
        if (!mediaType.startsWith(CONTENT_TYPE_PREFIX)) {
            return Optional.empty();
        }
        String digits = mediaType.substring(CONTENT_TYPE_PREFIX.length());
        // One spelling per version, as Restate and the SDKs compare content types as strings: no leading zero.
        if (digits.isEmpty() || digits.length() > 3 || digits.startsWith("0")
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return ofNumber(Integer.parseInt(digits));
    }

    /**
     * The version to use with a service that speaks versions {@code serviceMin} to {@code serviceMax}: the newest one
     * both sides speak, as Restate chooses.
     *
     * @throws UnsupportedProtocolVersionException when the ranges do not meet or the service's range is malformed;
     *     its message is meant for the operator who registers the service (the admin API answers it with 400)
     */
    public static ProtocolVersion negotiate(int serviceMin, int serviceMax) {
        if (serviceMin < 1 || serviceMax < 1) {
            throw new UnsupportedProtocolVersionException("the service announces protocol versions " + serviceMin
                    + " to " + serviceMax + ", but protocol versions start at 1");
        }
        if (serviceMin > serviceMax) {
            throw new UnsupportedProtocolVersionException("the service announces protocol versions " + serviceMin
                    + " to " + serviceMax + ": its minimum is above its maximum");
        }
        int chosen = Math.min(serviceMax, newest().number);
        if (chosen < serviceMin || chosen < oldest().number) {
            String service = serviceMin == serviceMax
                    ? "protocol version " + serviceMin
                    : "protocol versions " + serviceMin + " to " + serviceMax;
            throw new UnsupportedProtocolVersionException("the service speaks " + service + "; Ferry speaks "
                    + oldest().number + " to " + newest().number);
        }
        return ofNumber(chosen).orElseThrow();
    }

    static String stripParameters(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    }

    /** No protocol version is spoken by both Ferry and a service. The message says which ranges do not meet. */
    public static final class UnsupportedProtocolVersionException extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public UnsupportedProtocolVersionException(String message) {
            super(message);
        }
    }
}
