package dev.ferry.admin;

import dev.ferry.http.HttpAnswers;
import dev.ferry.schemas.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin socket's bearer token ({@code FERRY_ADMIN_TOKEN}): every request but the health checks and the UI's
 * static files must carry {@code Authorization: Bearer <token>}; others get 401.
 */
public final class AdminAuth implements Filter {
    private final byte[] token;

    public AdminAuth(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (path.equals("/health") || path.equals("/health/ready") || path.equals("/") || path.equals("/ui")
                || path.startsWith("/ui/")) {
            chain.proceed();
            return;
        }
        String presented = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        byte[] given = presented.startsWith("Bearer ")
                ? presented.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, token)) { // constant time
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ferry-admin\"");
            HttpAnswers.json(res, 401, Json.MAPPER.createObjectNode()
                    .put("message", "this admin API needs Authorization: Bearer <FERRY_ADMIN_TOKEN>")
                    .putNull("restate_code"));
            return;
        }
        chain.proceed();
    }
}
