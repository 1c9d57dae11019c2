package dev.ferry.ingress;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * CORS on the ingress, as Restate answers it: any origin may call, with credentials; a preflight is answered
 * with the method and headers it asks for. Browser clients of Restate work unchanged; they can also read Ferry's
 * response headers.
 */
public final class Cors implements Filter {
    private static final HeaderName REQUEST_METHOD = HeaderNames.create("access-control-request-method");
    private static final HeaderName REQUEST_HEADERS = HeaderNames.create("access-control-request-headers");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        decorate(req, res);
        if (req.prologue().method().equals(Method.OPTIONS) && req.headers().contains(REQUEST_METHOD)) {
            res.header("access-control-allow-methods", req.headers().get(REQUEST_METHOD).get());
            req.headers().first(REQUEST_HEADERS).ifPresent(h -> res.header("access-control-allow-headers", h));
            res.status(200).send();
            return;
        }
        chain.proceed();
    }

    /** The CORS headers of every answer; error answers are written afresh, so they call this too. */
    public static void decorate(ServerRequest req, ServerResponse res) {
        res.header("vary", "origin, access-control-request-method, access-control-request-headers");
        res.header("access-control-allow-credentials", "true");
        req.headers().first(HeaderNames.ORIGIN).ifPresent(origin -> {
            res.header("access-control-allow-origin", origin);
            // Restate exposes none, so a page on another origin cannot read the invocation id of a call; Ferry's
            // UI (on the admin port) is such a page.
            res.header("access-control-expose-headers", "x-restate-id, idempotency-expires, x-restate-error-source");
        });
    }
}
