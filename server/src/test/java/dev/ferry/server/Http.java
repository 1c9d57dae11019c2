package dev.ferry.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client for tests, speaking to Ferry as curl would. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String base;

    Http(String base) {
        this.base = base;
    }

    /** {@code curl --json body} */
    Response postJson(String path, String json, String... headers) {
        return send(request(path, headers).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    CompletableFuture<Response> postJsonAsync(String path, String json, String... headers) {
        return CLIENT.sendAsync(request(path, headers).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).thenApply(Response::new);
    }

    Response post(String path, byte[] body, String... headers) {
        return send(request(path, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /**
     * A large POST as curl sends it, with {@code Expect: 100-continue}: the server can refuse it before the body
     * is sent, instead of closing the connection while the client is still writing.
     */
    Response postExpectingContinue(String path, byte[] body, String... headers) {
        return send(request(path, headers).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    Response get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    Response method(String method, String path, String body, String... headers) {
        return send(request(path, headers).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private static Response send(HttpRequest request) {
        try {
            return new Response(CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Response(HttpResponse<byte[]> raw) {
        int status() {
            return raw.statusCode();
        }

        String body() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status() + " " + raw.headers().map() + " " + body();
        }
    }
}
