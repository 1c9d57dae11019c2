package dev.ferry.ingress;

import java.util.List;

/**
 * The ingress's tunables.
 *
 * @param maxBodyBytes the largest request body accepted; larger ones get 413 (Restate's default is 32 MiB)
 * @param adminAllowedOrigins origins besides the admin's own whose pages may call the admin API, or {@code *}
 *     ({@link AdminCrossSiteGuard})
 */
public record IngressSettings(long maxBodyBytes, List<String> adminAllowedOrigins) {
    public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;

    public IngressSettings {
        adminAllowedOrigins = adminAllowedOrigins == null ? List.of() : List.copyOf(adminAllowedOrigins);
    }

    /** Settings whose admin API answers pages of its own origin only. */
    public IngressSettings(long maxBodyBytes) {
        this(maxBodyBytes, List.of());
    }
}
