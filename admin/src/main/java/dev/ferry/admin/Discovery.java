package dev.ferry.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.http.H2cClients;
import dev.ferry.http.HttpError;
import dev.ferry.protocol.ManifestVersion;
import dev.ferry.protocol.ProtocolVersion;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.EndpointManifest;
import dev.ferry.schemas.deployments.ServiceProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Asks a service endpoint what it serves: {@code GET {uri}/discover}, which answers with its manifest.
 *
 * <p>The request's {@code accept} offers every version of Restate's endpoint manifest ({@link ManifestVersion#ACCEPT})
 * and plain JSON. A service written with a Restate SDK answers with a manifest content type: it speaks Restate's
 * service protocol, whose version is negotiated here ({@link ProtocolVersion#negotiate}). A service that answers
 * {@code application/json} speaks Ferry's plain HTTP contract, as before.
 *
 * <p>Which HTTP, for {@code http://} URIs: without {@code use_http_11} in the registration, HTTP/1.1 first, as Ferry
 * always asked, and HTTP/2 cleartext with prior knowledge when the endpoint answers with something that is not
 * HTTP/1.1 (the TypeScript SDK's {@code restate.serve()} speaks nothing else; the JDK's client cannot speak h2c with
 * prior knowledge, so that is OkHttp's). The first try costs an HTTP/2-only endpoint one refused request, and an
 * endpoint that speaks both is called over HTTP/1.1, in request-response mode, which is all Ferry drives. (Restate
 * asks HTTP/2 first and refuses HTTP/1.1-only endpoints unless told {@code use_http_11: true}: an HTTP/1.1 server that
 * does not understand the HTTP/2 preface may let it hang until a timeout.) {@code use_http_11: true} asks HTTP/1.1
 * only and {@code false} HTTP/2 only, as Restate does. {@code https://} URIs are asked over HTTP/1.1 with the JDK's
 * client. The HTTP version that answered is the one a Restate SDK deployment is called with.
 */
final class Discovery {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Restate's manifest versions, newest first, then plain JSON for services of Ferry's own contract. */
    static final String ACCEPT = ManifestVersion.ACCEPT + ", application/json";

    private final HttpClient client;
    /** HTTP/2 cleartext with prior knowledge ({@link H2cClients} says why it is OkHttp's). */
    private final OkHttpClient h2c;

    Discovery(HttpClient client) {
        this.client = client;
        this.h2c = H2cClients.builder(CONNECT_TIMEOUT).callTimeout(TIMEOUT).build();
    }

    /**
     * What discovery found.
     *
     * @param protocol how to call a service written with a Restate SDK; null for Ferry's plain HTTP contract
     */
    record Discovered(EndpointManifest manifest, ServiceProtocol protocol) {}

    /** One answer to {@code GET /discover}. */
    private record Answer(int status, String contentType, String server, byte[] body, boolean http2) {}

    /**
     * @param useHttp11 true: ask over HTTP/1.1 only; false: over HTTP/2 with prior knowledge only (Restate's default
     *     for {@code http://}); null: HTTP/1.1 first, then HTTP/2 if the endpoint does not speak HTTP/1.1
     * @throws HttpError 400 naming what went wrong: unreachable, an error status, not a manifest, no protocol
     *     version in common with Ferry
     */
    Discovered discover(URI base, Boolean useHttp11) {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/discover");
        Answer answer = fetch(uri, useHttp11);
        if (answer.status() == 415) {
            // What a Restate SDK answers when it knows none of the manifest versions offered: say which it said.
            throw HttpError.of(400, "[META0003] error when calling '" + uri + "': the endpoint answered HTTP 415; "
                    + "it accepts none of the manifest versions Ferry reads (" + ACCEPT + "): "
                    + snippet(answer.body()), "META0003");
        }
        if (answer.status() != 200) {
            throw HttpError.of(400, "[META0003] error when calling '" + uri + "': the endpoint answered HTTP "
                    + answer.status() + "; it must answer 200 with its manifest", "META0003");
        }
        EndpointManifest manifest = parse(uri, answer.body());
        Optional<ManifestVersion> manifestVersion = ManifestVersion.fromContentType(answer.contentType());
        if (manifestVersion.isEmpty()) {
            return new Discovered(manifest, null); // Ferry's plain HTTP contract
        }
        return new Discovered(manifest, protocol(uri, manifest, manifestVersion.get(), answer));
    }

    /** What a Restate SDK's manifest says about calling it, with the protocol version Ferry will speak. */
    private static ServiceProtocol protocol(URI uri, EndpointManifest manifest, ManifestVersion manifestVersion,
            Answer answer) {
        if (manifest.protocolMode() == null) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: "
                    + "missing protocol mode (protocolMode: REQUEST_RESPONSE or BIDI_STREAM)", "META0014");
        }
        if (!manifest.protocolMode().equals("REQUEST_RESPONSE") && !manifest.protocolMode().equals("BIDI_STREAM")) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: unknown protocol mode '"
                    + manifest.protocolMode() + "' (REQUEST_RESPONSE or BIDI_STREAM)", "META0014");
        }
        if (manifest.minProtocolVersion() == null || manifest.maxProtocolVersion() == null) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: "
                    + "minProtocolVersion and maxProtocolVersion are required", "META0014");
        }
        ProtocolVersion version;
        try {
            version = ProtocolVersion.negotiate(manifest.minProtocolVersion(), manifest.maxProtocolVersion());
        } catch (ProtocolVersion.UnsupportedProtocolVersionException e) {
            throw HttpError.of(400, "[META0012] the service endpoint '" + uri + "' cannot be registered: "
                    + e.getMessage() + ". Use an SDK version that speaks one of Ferry's protocol versions.",
                    "META0012");
        }
        return new ServiceProtocol(version.number(), manifest.minProtocolVersion(), manifest.maxProtocolVersion(),
                manifest.protocolMode(), answer.http2(), manifestVersion.number(), answer.server());
    }

    private static EndpointManifest parse(URI uri, byte[] body) {
        try {
            return Json.read(body, EndpointManifest.class);
        } catch (JsonProcessingException e) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: "
                    + e.getOriginalMessage(), "META0014");
        } catch (IOException e) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: "
                    + e.getMessage(), "META0014");
        }
    }

    /**
     * Asks over the HTTP version {@code useHttp11} names, or, when it is null, over HTTP/1.1 first and then over
     * HTTP/2 with prior knowledge if the endpoint answered with something that is not HTTP/1.1.
     */
    private Answer fetch(URI uri, Boolean useHttp11) {
        if (Boolean.TRUE.equals(useHttp11) || !"http".equals(uri.getScheme())) {
            try {
                return fetchHttp11(uri);
            } catch (NotHttp11 e) {
                throw unreachable(uri, e.getMessage());
            }
        }
        if (Boolean.FALSE.equals(useHttp11)) {
            try {
                return fetchH2c(uri);
            } catch (RuntimeException e) {
                throw h2cFailed(uri, e);
            }
        }
        try {
            return fetchHttp11(uri);
        } catch (NotHttp11 notHttp11) {
            // Something accepted the connection but did not answer in HTTP/1.1: maybe an HTTP/2-only endpoint, such
            // as the TypeScript SDK's restate.serve().
            try {
                return fetchH2c(uri);
            } catch (RuntimeException e) {
                throw unreachable(uri, notHttp11.getMessage() + "; over HTTP/2 with prior knowledge: "
                        + describe(e));
            }
        }
    }

    private static HttpError h2cFailed(URI uri, RuntimeException e) {
        if (cause(e, ConnectException.class) != null) {
            return unreachable(uri, "connection refused, is the service running?");
        }
        return unreachable(uri, "over HTTP/2 with prior knowledge: " + describe(e));
    }

    private Answer fetchH2c(URI uri) {
        Request request = new Request.Builder().url(uri.toString()).header("accept", ACCEPT).get().build();
        try (Response response = h2c.newCall(request).execute()) {
            ResponseBody body = response.body();
            return new Answer(response.code(), response.header("content-type"), response.header("x-restate-server"),
                    body == null ? new byte[0] : body.bytes(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws NotHttp11 when the endpoint accepted the connection but gave no HTTP/1.1 answer (the JDK's client reads
     *     an HTTP/2 server's first frame as an invalid status line)
     */
    private Answer fetchHttp11(URI uri) {
        HttpResponse<byte[]> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                    .header("accept", ACCEPT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw unreachable(uri, "connection refused, is the service running?");
        } catch (HttpTimeoutException e) {
            throw unreachable(uri, "no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            // Connected, but no HTTP/1.1 answer: an invalid status line (an HTTP/2 server's first frame), or the
            // connection closed or reset by a server that took the request for garbage.
            throw new NotHttp11(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(uri, "interrupted");
        }
        return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
                response.headers().firstValue("x-restate-server").orElse(null), response.body(), false);
    }

    /** The endpoint's answer to an HTTP/1.1 request was not HTTP/1.1. */
    private static final class NotHttp11 extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotHttp11(String message) {
            super(message, null, false, false);
        }
    }

    private static String snippet(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    private static String describe(Throwable e) {
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : deepest.getMessage();
        return message;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static HttpError unreachable(URI uri, String reason) {
        return HttpError.of(400, "[META0003] error when calling '" + uri + "': " + reason, "META0003");
    }
}
