package dev.ferry.ingress;

import dev.ferry.http.HttpError;
import dev.ferry.schemas.Durations;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a request asks for in its {@code Prefer} header (RFC 7240), beyond Restate's API:
 *
 * <ul>
 *   <li>{@code wait=N}: answer 202 with the invocation id after N seconds instead of holding the connection until
 *       the result (a call or an attach);
 *   <li>{@code handling=strict}: refuse (422) a repeated idempotency key that comes with a different request,
 *       instead of answering with the first request's result.
 * </ul>
 *
 * <p>Preferences Ferry does not know are ignored, as RFC 7240 asks.
 */
record Preferences(Duration maxWait, boolean strict) {
    static final Preferences NONE = new Preferences(null, false);

    static Preferences of(ServerRequest req) {
        List<String> values = req.headers().all(HeaderNames.create("prefer"), List::of);
        Duration wait = null;
        boolean strict = false;
        for (String value : values) {
            for (String token : value.split(",")) {
                String preference = token.trim().toLowerCase(Locale.ROOT);
                if (preference.startsWith("wait=")) {
                    wait = waitSeconds(preference.substring("wait=".length()).trim(), token.trim());
                } else if (preference.equals("handling=strict")) {
                    strict = true;
                }
            }
        }
        return new Preferences(wait, strict);
    }

    /**
     * {@code wait=N}: whole seconds from 0 to {@link Durations#MAX}. Anything else (negative, a fraction, a number
     * too large to count) is refused rather than ignored, so the caller learns its request was not what it meant.
     */
    private static Duration waitSeconds(String value, String token) {
        long seconds;
        try {
            seconds = value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : -1;
        } catch (NumberFormatException e) {
            seconds = -1; // more digits than a long holds
        }
        if (seconds < 0 || seconds > Durations.MAX.toSeconds()) {
            throw HttpError.badRequest("bad Prefer header: wait must be a whole number of seconds from 0 to "
                    + Durations.MAX.toSeconds() + ", got '" + token + "'");
        }
        return Duration.ofSeconds(seconds);
    }

    /** The request's wait, or the service's when the request names none. */
    Duration waitOr(Duration serviceMaxWait) {
        return maxWait != null ? maxWait : serviceMaxWait;
    }
}
