package dev.ferry.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A reverse proxy as an operator puts in front of Ferry, small enough for a test: each path prefix
 * ({@code /ferry/}) forwards what follows it to a target ({@code http://127.0.0.1:9070/}), method, headers and
 * body, and passes the answer back as it is, redirects included. Like nginx's default, it sends the target's own
 * {@code Host}, and says where the request came from in {@code X-Forwarded-*}.
 */
final class PrefixProxy implements AutoCloseable {
    /** Hop-by-hop headers, and those the JDK's client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "keep-alive", "transfer-encoding", "te", "trailer", "proxy-connection", "http2-settings");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    PrefixProxy() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.start();
    }

    /** The proxy's origin, {@code http://127.0.0.1:port}. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Forwards {@code prefix + rest} to {@code target + rest}; both end with a slash. */
    PrefixProxy route(String prefix, String target) {
        server.createContext(prefix, exchange -> forward(exchange, prefix, target));
        return this;
    }

    private void forward(HttpExchange exchange, String prefix, String target) throws IOException {
        try (exchange) {
            URI requested = exchange.getRequestURI();
            String rest = requested.getRawPath().substring(prefix.length());
            String query = requested.getRawQuery() == null ? "" : "?" + requested.getRawQuery();
            URI uri = URI.create(target + rest + query);
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(exchange.getRequestMethod(),
                    body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            request.header("x-forwarded-host", exchange.getRequestHeaders().getFirst("host"))
                    .header("x-forwarded-proto", "http")
                    .header("x-forwarded-prefix", prefix.substring(0, prefix.length() - 1));
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
        client.close();
    }
}
