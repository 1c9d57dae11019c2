package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.schemas.HeaderValues;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.dispatch.RequestSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceCallTest {
    private static final InvocationId INVOCATION_ID = InvocationId.random(1);
    private static final Target GREET = Target.service("Greeter", "greet");

    /** What the endpoint answers. */
    private interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    /** A request as the endpoint saw it; header names lower case. */
    private record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    private final CountDownLatch release = new CountDownLatch(1);
    private ExecutorService executor;
    private HttpServer server;
    private volatile Answer answer;
    private volatile Received received;

    @BeforeEach
    void startEndpoint() throws IOException {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                Map<String, List<String>> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
                received = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers,
                        exchange.getRequestBody().readAllBytes());
                answer.answer(exchange);
            }
        });
        server.start();
    }

    @AfterEach
    void stopEndpoint() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void okAnswerIsASuccessWithStatusContentTypeAndBody() {
        answer = respond(200, "application/json", "{\"greeting\":\"hi\"}");

        Command result = call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(result).isEqualTo(new Completion(INVOCATION_ID, 3,
                Outcome.success(200, "application/json", Payload.ofUtf8("{\"greeting\":\"hi\"}"))));
    }

    @Test
    void createdAnswerIsASuccess() {
        answer = respond(201, "text/plain", "made");

        Command result = call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(result).isEqualTo(
                new Completion(INVOCATION_ID, 3, Outcome.success(201, "text/plain", Payload.ofUtf8("made"))));
    }

    @Test
    void badRequestWithAJsonMessageIsATerminalFailureWithThatMessage() {
        answer = respond(400, "application/json", "{\"message\":\"nope\"}");

        Command result = call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(result).isEqualTo(new Completion(INVOCATION_ID, 3, Outcome.failure(400, "nope")));
    }

    @Test
    void notFoundWithATextBodyIsATerminalFailureWithThatText() {
        answer = respond(404, "text/plain", "no such greeting\n");

        Command result = call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(result).isEqualTo(new Completion(INVOCATION_ID, 3, Outcome.failure(404, "no such greeting")));
    }

    @Test
    void serverErrorIsARetryableFailure() {
        answer = respond(500, "text/plain", "boom");

        Command result = call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(result).isEqualTo(new AttemptFailed(INVOCATION_ID, 3, new Failure(500, "boom"), null));
    }

    @Test
    void serviceUnavailableHonoursRetryAfterSeconds() {
        answer = exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(503, -1);
        };

        Command result = call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(result).isInstanceOfSatisfying(AttemptFailed.class, failed -> {
            assertThat(failed.failure().code()).isEqualTo(503);
            assertThat(failed.retryAfterMillis()).isEqualTo(7000L);
        });
    }

    @Test
    void requestTimeoutAnswerIsRetryable() {
        answer = respond(408, "text/plain", "too slow");

        assertThat(call(dispatch(GREET, null, null, List.of(), Payload.EMPTY)))
                .isEqualTo(new AttemptFailed(INVOCATION_ID, 3, new Failure(408, "too slow"), null));
    }

    @Test
    void tooManyRequestsIsRetryable() {
        answer = respond(429, "text/plain", "slow down");

        assertThat(call(dispatch(GREET, null, null, List.of(), Payload.EMPTY)))
                .isEqualTo(new AttemptFailed(INVOCATION_ID, 3, new Failure(429, "slow down"), null));
    }

    @Test
    void anAttemptWhoseGateClosesBeforeItsBodyIsWrittenIsNotSentAndReportsNothing() {
        answer = respond(200, "application/json", "{}");
        AtomicInteger asked = new AtomicInteger();
        ServiceCall serviceCall = new ServiceCall(Http11Clients.create(Duration.ofSeconds(5)));

        for (Payload input : List.of(Payload.EMPTY, Payload.ofUtf8("{\"name\":\"Mary\"}"))) {
            Command result = serviceCall.run(dispatch(GREET, null, null, List.of(), input), baseUri(), null, () -> {
                asked.incrementAndGet();
                return false; // the dispatcher stood still after taking the attempt
            });

            assertThat(result).isNull();
        }
        assertThat(asked).hasValue(2);
        assertThat(received).isNull(); // the handler never got a whole request

        // The connection whose request got its headers but no body is not used again: the next request on this client
        // is read as itself, not as the rest of the one withheld.
        Command next = serviceCall.run(dispatch(GREET, null, null, List.of(), Payload.ofUtf8("\"next\"")), baseUri(),
                null, () -> true);
        assertThat(next).isInstanceOf(Completion.class);
        assertThat(new String(received.body(), StandardCharsets.UTF_8)).isEqualTo("\"next\"");
    }

    @Test
    void anOpenGateIsAskedOnceAsTheBodyIsWrittenAndTheCallGoesThrough() {
        answer = respond(200, "application/json", "{}");
        AtomicInteger asked = new AtomicInteger();

        Command result = new ServiceCall(Http11Clients.create(Duration.ofSeconds(5)))
                .run(dispatch(GREET, null, null, List.of(), Payload.ofUtf8("\"Mary\"")), baseUri(), null, () -> {
                    asked.incrementAndGet();
                    return true;
                });

        assertThat(result).isInstanceOf(Completion.class);
        assertThat(asked).hasValue(1);
        assertThat(new String(received.body(), StandardCharsets.UTF_8)).isEqualTo("\"Mary\"");
    }

    @Test
    void refusedConnectionIsRetryable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        Command result = new ServiceCall(Http11Clients.create(Duration.ofSeconds(5)))
                .run(dispatch(GREET, null, null, List.of(), Payload.EMPTY), "http://127.0.0.1:" + closedPort, null);

        assertThat(result).isInstanceOfSatisfying(AttemptFailed.class, failed -> {
            assertThat(failed.invocationId()).isEqualTo(INVOCATION_ID);
            assertThat(failed.attempt()).isEqualTo(3);
            assertThat(failed.failure().code()).isEqualTo(503);
        });
    }

    @Test
    void bodyThatDoesNotEndWithinTheTimeoutIsRetryableAsGatewayTimeout() {
        answer = exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: the headers now, the body never ends
            exchange.getResponseBody().write('{');
            exchange.getResponseBody().flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        Dispatch withShortTimeout = new Dispatch(INVOCATION_ID, 3, GREET, null, null, List.of(), Payload.EMPTY,
                30_000, Duration.ofMillis(300).toMillis());
        long started = System.nanoTime();
        Command result = new ServiceCall(Http11Clients.create(Duration.ofSeconds(5))).run(withShortTimeout, baseUri(), null);

        assertThat(result).isEqualTo(new AttemptFailed(INVOCATION_ID, 3, ServiceCall.timeoutFailure(300), null));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
    }

    @Test
    void callThatOutlastsTheRequestTimeoutIsRetryableAsGatewayTimeout() {
        answer = exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
        };

        Dispatch withShortTimeout = new Dispatch(INVOCATION_ID, 3, GREET, null, null, List.of(), Payload.EMPTY,
                30_000, Duration.ofMillis(300).toMillis());
        Command result = new ServiceCall(Http11Clients.create(Duration.ofSeconds(5))).run(withShortTimeout, baseUri(), null);

        assertThat(result).isInstanceOfSatisfying(AttemptFailed.class,
                failed -> assertThat(failed.failure().code()).isEqualTo(504));
    }

    @Test
    void requestIsAPostToTheHandlersInvokePath() {
        answer = respond(200, "text/plain", "ok");

        call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/invoke/Greeter/greet");
    }

    @Test
    void requestCarriesTheInvocationIdAttemptKeyAndIdempotencyKey() {
        answer = respond(200, "text/plain", "ok");
        Target add = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "alice/1");

        call(dispatch(add, "idem-1", null, List.of(), Payload.EMPTY));

        assertThat(received.path()).isEqualTo("/invoke/Counter/add");
        assertThat(received.header("x-restate-id")).isEqualTo(INVOCATION_ID.toString());
        assertThat(received.header("x-ferry-attempt")).isEqualTo("3");
        assertThat(received.header("x-restate-key")).isEqualTo("alice%2F1");
        assertThat(received.header("idempotency-key")).isEqualTo("idem-1");
    }

    @Test
    void keysOfAnyUtf8TextArrivePercentEncodedAndDecodeToTheExactKey() {
        answer = respond(200, "text/plain", "ok");
        String key = " €漢😀 a/b%2F+c\nline ";
        String idempotencyKey = "idem €\r\n漢";
        Target add = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, key);

        Command result = call(dispatch(add, idempotencyKey, null, List.of(), Payload.EMPTY));

        assertThat(result).isInstanceOf(Completion.class);
        assertThat(((Completion) result).outcome().failure()).isNull();
        assertThat(received.header("x-restate-key"))
                .isEqualTo("%20%E2%82%AC%E6%BC%A2%F0%9F%98%80%20a%2Fb%252F%2Bc%0Aline%20");
        assertThat(HeaderValues.percentDecode(received.header("x-restate-key"))).isEqualTo(key);
        assertThat(HeaderValues.percentDecode(received.header("idempotency-key"))).isEqualTo(idempotencyKey);
        // What the JDK's own decoder gives, once '+' is protected: the service-side recipe of the README.
        assertThat(java.net.URLDecoder.decode(received.header("x-restate-key").replace("+", "%2B"),
                StandardCharsets.UTF_8)).isEqualTo(key);
    }

    @Test
    void headerValuesThatAreNotPrintableAsciiArriveBase64UnderABinName() {
        answer = respond(200, "text/plain", "ok");

        Command result = call(dispatch(GREET, null, null, List.of(new Header("x-trace", "漢"),
                new Header("x-line", "a\nb"), new Header("x-plain", "as is"), new Header("bad name", "dropped")),
                Payload.EMPTY));

        assertThat(((Completion) result).outcome().failure()).isNull();
        assertThat(received.header("x-trace-bin")).isEqualTo("5ryi");
        assertThat(new String(java.util.Base64.getDecoder().decode(received.header("x-line-bin")),
                StandardCharsets.UTF_8)).isEqualTo("a\nb");
        assertThat(received.header("x-plain")).isEqualTo("as is");
        assertThat(received.headers()).doesNotContainKeys("x-trace", "x-line", "bad name");
    }

    @Test
    void requestToAPlainServiceWithoutIdempotencyKeyHasNeitherKeyHeader() {
        answer = respond(200, "text/plain", "ok");

        call(dispatch(GREET, null, null, List.of(), Payload.EMPTY));

        assertThat(received.headers()).doesNotContainKeys("x-restate-key", "idempotency-key");
    }

    @Test
    void callersHeadersArePassedOnAndTheContentTypeIsTheDispatchs() {
        answer = respond(200, "text/plain", "ok");

        call(dispatch(GREET, null, "application/json",
                List.of(new Header("x-custom", "yes"), new Header("authorization", "Bearer t")),
                Payload.ofUtf8("{}")));

        assertThat(received.header("x-custom")).isEqualTo("yes");
        assertThat(received.header("authorization")).isEqualTo("Bearer t");
        assertThat(received.header("content-type")).isEqualTo("application/json");
    }

    @Test
    void hopByHopAndFerryHeadersFromTheCallerAreNotPassedOn() {
        answer = respond(200, "text/plain", "ok");

        Command result = call(dispatch(GREET, null, "text/plain", List.of(
                        new Header("connection", "x-marker"),
                        new Header("host", "evil.example"),
                        new Header("keep-alive", "timeout=5"),
                        new Header("te", "trailers"),
                        new Header("content-type", "application/evil"),
                        new Header("x-restate-id", "spoofed")),
                Payload.ofUtf8("hi")));

        // Had a restricted header (host, connection) reached the HTTP client, the request would not have been sent.
        assertThat(result).isInstanceOfSatisfying(Completion.class,
                completion -> assertThat(completion.outcome().succeeded()).isTrue());
        assertThat(received.header("host")).isEqualTo("127.0.0.1:" + server.getAddress().getPort());
        assertThat(received.headers().getOrDefault("connection", List.of())).noneMatch(v -> v.contains("x-marker"));
        assertThat(received.headers()).doesNotContainKeys("keep-alive", "te");
        assertThat(received.header("content-type")).isEqualTo("text/plain");
        assertThat(received.header("x-restate-id")).isEqualTo(INVOCATION_ID.toString());
    }

    @Test
    void requestBodyArrivesByteForByte() {
        answer = respond(200, "text/plain", "ok");
        byte[] body = {0, 1, (byte) 0x80, (byte) 0xff, '{', '\n'};

        call(dispatch(GREET, null, "application/octet-stream", List.of(), Payload.of(body)));

        assertThat(received.body()).isEqualTo(body);
    }

    @Test
    void aSignedRequestCarriesASignatureTheServiceCanVerify() {
        answer = respond(200, "text/plain", "ok");
        String key = "a-key-of-sixteen-or-more";
        Target counter = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "mary");
        byte[] body = "{\"by\":1}".getBytes(StandardCharsets.UTF_8);

        new ServiceCall(Http11Clients.create(Duration.ofSeconds(5)))
                .run(dispatch(counter, null, "application/json", List.of(), Payload.of(body)), baseUri(), key);

        String signature = received.header(RequestSignature.HEADER);
        long now = System.currentTimeMillis() / 1000;
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        assertThat(RequestSignature.problem(key, signature, now, received.header("x-restate-id"), received.path(),
                received.header("x-restate-key"), received.body())).isNull();
        assertThat(RequestSignature.problem("another-key-of-16-chars", signature, now, INVOCATION_ID.toString(),
                received.path(), "mary", body)).isEqualTo("the signature does not match the request");
    }

    @Test
    void theSignatureCoversTheKeyHeaderAsSent() {
        answer = respond(200, "text/plain", "ok");
        String key = "a-key-of-sixteen-or-more";
        Target counter = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "€ 1");

        new ServiceCall(Http11Clients.create(Duration.ofSeconds(5)))
                .run(dispatch(counter, null, null, List.of(), Payload.EMPTY), baseUri(), key);

        assertThat(received.header("x-restate-key")).isEqualTo("%E2%82%AC%201");
        assertThat(RequestSignature.problem(key, received.header(RequestSignature.HEADER),
                System.currentTimeMillis() / 1000, INVOCATION_ID.toString(), received.path(), "%E2%82%AC%201",
                received.body())).isNull();
    }

    @Test
    void aCallersOwnSignatureHeaderIsNotForwarded() {
        answer = respond(200, "text/plain", "ok");

        call(dispatch(GREET, null, null, List.of(new Header(RequestSignature.HEADER, "t=1,v1=forged")),
                Payload.EMPTY));

        assertThat(received.headers()).doesNotContainKey(RequestSignature.HEADER);
    }

    private Command call(Dispatch dispatch) {
        return new ServiceCall(Http11Clients.create(Duration.ofSeconds(5))).run(dispatch, baseUri(), null);
    }

    private String baseUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static Dispatch dispatch(
            Target target, String idempotencyKey, String contentType, List<Header> headers, Payload body) {
        return new Dispatch(INVOCATION_ID, 3, target, idempotencyKey, contentType, headers, body, 30_000, 5_000L);
    }

    private static Answer respond(int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }
}
