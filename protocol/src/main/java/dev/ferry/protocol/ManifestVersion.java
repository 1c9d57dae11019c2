package dev.ferry.protocol;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The versions of the discovery manifest a service can answer {@code GET {deployment}/discover} with.
 *
 * <p>The runtime lists the versions it reads in the request's {@code accept} header ({@link #ACCEPT}); the service
 * picks one and names it in the response's {@code content-type}. A service that finds none it knows answers 415: the
 * TypeScript SDK 1.17.2 speaks v2 to v4 only, so an {@code accept: application/json} gets 415 from it.
 *
 * <p>What each version adds: v2 documentation and metadata of services and handlers; v3 the private flag, journal,
 * idempotency and workflow completion retention, inactivity and abort timeouts, lazy state; v4 Lambda compression and
 * the retry policy fields. Every version carries {@code minProtocolVersion}, {@code maxProtocolVersion} and
 * {@code protocolMode}, so even a v1 manifest lets Ferry tell the operator which protocol versions the service speaks.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public enum ManifestVersion {
    V1(1),
    V2(2),
    V3(3),
    V4(4);

    private static final String CONTENT_TYPE_PREFIX = "application/vnd.restate.endpointmanifest.v";
    private static final String CONTENT_TYPE_SUFFIX = "+json";

    /**
     * The {@code accept} header of a discovery request: every version Ferry reads, newest first. (Restate lists them
     * oldest first; SDKs pick the newest they know whatever the order.)
     */
    public static final String ACCEPT = Arrays.stream(values())
            .sorted(Comparator.reverseOrder())
            .map(ManifestVersion::contentType)
            .collect(Collectors.joining(", "));

    private final int number;

    ManifestVersion(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The content type of a manifest of this version, e.g. {@code application/vnd.restate.endpointmanifest.v4+json}. */
    public String contentType() {
        return CONTENT_TYPE_PREFIX + number + CONTENT_TYPE_SUFFIX;
    }

    /**
     * The version a discovery response's content type names, if Ferry reads it. Case, blanks and parameters after a
     * {@code ;} are ignored; anything else gives empty (a plain {@code application/json} included: the response of
     * something that is not a Restate SDK).
     */
    public static Optional<ManifestVersion> fromContentType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String mediaType = ProtocolVersion.stripParameters(contentType).toLowerCase(Locale.ROOT);
        for (ManifestVersion version : values()) {
            if (version.contentType().equals(mediaType)) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }
}
