package dev.ferry.http;

import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

/** Reads a request's whole body, as every handler on both ports does. */
public final class RequestBodies {
    private static final byte[] EMPTY = new byte[0];

    private RequestBodies() {}

    /**
     * The body's bytes; empty when there is none. A body with a {@code Content-Length} is read into an array of that
     * length: Helidon's {@code as(byte[].class)} reads every body through a 16 KiB buffer and copies it out, 15 KB of
     * garbage for each small call (async-profiler, docs/performance.md). The server's payload limit has already
     * refused a declared length above the largest body accepted; a chunked body is read as before.
     */
    public static byte[] bytes(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return EMPTY;
        }
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() < 0) {
            // Helidon reads "-5" as a number like any other; there is no body of that length to read.
            throw HttpError.badRequest("the content-length header is negative: " + declared.getAsLong());
        }
        if (declared.isEmpty() || declared.getAsLong() > Integer.MAX_VALUE) {
            return req.content().as(byte[].class);
        }
        try (InputStream in = req.content().inputStream()) {
            return in.readNBytes((int) declared.getAsLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
