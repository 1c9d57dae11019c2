package dev.ferry.ingress;

/**
 * The ingress's tunables.
 *
 * @param maxBodyBytes the largest request body accepted; larger ones get 413 (Restate's default is 32 MiB)
 */
public record IngressSettings(long maxBodyBytes) {
    public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
}
