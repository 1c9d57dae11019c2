package dev.ferry.admin;

import dev.ferry.http.HttpAnswers;
import dev.ferry.schemas.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps pages on other sites from acting on the admin API through a visitor's browser (cross-site request forgery):
 * a page can make a browser send a form or a {@code text/plain} POST to {@code localhost:9070} without asking
 * anyone, and the admin API registers deployments and kills invocations.
 *
 * <ul>
 *   <li>A request with an {@code Origin} header must come from an allowed origin: the admin's own (the scheme, host
 *       and port the request was sent to, from its {@code Host}), or one of {@code FERRY_ADMIN_ALLOWED_ORIGINS}
 *       ({@code *} allows any). Others get 403.
 *   <li>A POST, PUT, PATCH or DELETE with a body, or with any content type, must say
 *       {@code content-type: application/json}; others get 415. A cross-site form always sends a content type
 *       other than JSON, and a page cannot send JSON elsewhere without the CORS preflight the admin never grants.
 *       A body-less request without a content type stays accepted: Restate's documented
 *       {@code curl -X PATCH …/invocations/{id}/cancel} is one.
 * </ul>
 */
public final class AdminCrossSiteGuard implements Filter {
    private static final Set<Method> CHANGING = Set.of(Method.POST, Method.PUT, Method.PATCH, Method.DELETE);

    private final boolean anyOrigin;
    private final Set<String> allowedOrigins = new LinkedHashSet<>();

    /**
     * @param allowedOrigins origins allowed beside the admin's own, such as {@code https://ops.example.com}, or
     *     {@code *} for any
     * @throws IllegalArgumentException naming an entry that is not an origin
     */
    public AdminCrossSiteGuard(List<String> allowedOrigins) {
        boolean any = false;
        for (String origin : allowedOrigins) {
            String trimmed = origin.trim();
            if (trimmed.equals("*")) {
                any = true;
            } else if (!trimmed.isEmpty()) {
                this.allowedOrigins.add(normalize(trimmed).orElseThrow(() -> new IllegalArgumentException("'"
                        + trimmed + "' is not an origin: expected scheme://host[:port], e.g. https://ops.example.com,"
                        + " or *")));
            }
        }
        this.anyOrigin = any;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isPresent() && !allowed(origin.get(), req)) {
            refuse(res, 403, "requests from origin '" + origin.get() + "' are not allowed on the admin API (allow it"
                    + " with FERRY_ADMIN_ALLOWED_ORIGINS)");
            return;
        }
        if (CHANGING.contains(req.prologue().method())) {
            Optional<String> contentType = req.headers().first(HeaderNames.CONTENT_TYPE);
            if (contentType.isPresent() ? !isJson(contentType.get()) : req.content().hasEntity()) {
                refuse(res, 415, "the admin API takes request bodies with content-type: application/json"
                        + contentType.map(type -> ", not '" + type + "'").orElse(", and this request has none"));
                return;
            }
        }
        chain.proceed();
    }

    private boolean allowed(String origin, RoutingRequest req) {
        if (anyOrigin) {
            return true;
        }
        Optional<String> normalized = normalize(origin.trim());
        if (normalized.isEmpty()) {
            return false; // "null" (a sandboxed page, a file) or garbage
        }
        return allowedOrigins.contains(normalized.get()) || normalized.equals(ownOrigin(req));
    }

    /** The origin the request was sent to: its scheme, and the host and port of its {@code Host} header. */
    private static Optional<String> ownOrigin(RoutingRequest req) {
        return req.headers().first(HeaderNames.HOST)
                .flatMap(host -> normalize((req.isSecure() ? "https" : "http") + "://" + host.trim()));
    }

    /** {@code scheme://host:port} in lower case with the port always given, or empty when it is not an origin. */
    static Optional<String> normalize(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null || uri.getRawUserInfo() != null
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                return Optional.empty();
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort() >= 0 ? uri.getPort() : switch (scheme) {
                case "http" -> 80;
                case "https" -> 443;
                default -> -1;
            };
            if (port < 0) {
                return Optional.empty();
            }
            return Optional.of(scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** {@code application/json}, with parameters or not ({@code application/json; charset=utf-8}). */
    private static boolean isJson(String contentType) {
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mediaType.equalsIgnoreCase("application/json");
    }

    private static void refuse(RoutingResponse res, int status, String message) {
        HttpAnswers.json(res, status, Json.MAPPER.createObjectNode().put("message", message).putNull("restate_code"));
    }
}
