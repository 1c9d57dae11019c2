package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.dispatch.Dispatch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A service's answer is read up to the body limit, and within the inactivity timeout. */
class ServiceCallLimitsTest {
    private static final InvocationId INVOCATION_ID = InvocationId.random(1);
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final int LIMIT = 64 * 1024;

    private interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    private final CountDownLatch stop = new CountDownLatch(1);
    /** Bytes the endpoint wrote, and whether its write failed (the connection was closed on it). */
    private final AtomicLong written = new AtomicLong();
    private final CountDownLatch writeFailed = new CountDownLatch(1);
    private ExecutorService executor;
    private HttpServer server;
    private volatile Answer answer;

    @BeforeEach
    void startEndpoint() throws IOException {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                answer.answer(exchange);
            } catch (IOException e) {
                writeFailed.countDown();
            }
        });
        server.start();
    }

    @AfterEach
    void stopEndpoint() {
        stop.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void aResultOfExactlyTheLimitArrivesWhole() {
        byte[] body = randomBytes(LIMIT);
        answer = exchange -> send(exchange, 200, body, true);

        Command result = call(5_000L);

        assertThat(result).isEqualTo(new Completion(INVOCATION_ID, 1,
                Outcome.success(200, "application/octet-stream", Payload.of(body))));
    }

    @Test
    void aResultAnnouncedLargerThanTheLimitIsATerminalFailureWithoutReadingIt() throws InterruptedException {
        answer = exchange -> send(exchange, 200, randomBytes(LIMIT + 1), true);

        Command result = call(5_000L);

        assertThat(result).isEqualTo(new Completion(INVOCATION_ID, 1,
                Outcome.failure(502, "the service's response is larger than the limit of " + LIMIT + " bytes")));
    }

    @Test
    void aStreamedResultThatPassesTheLimitIsATerminalFailureAndTheConnectionIsClosed() throws InterruptedException {
        // No content-length: chunks until the reader gives up. The reader must stop at the limit, not read it all.
        answer = exchange -> {
            exchange.getResponseHeaders().add("content-type", "application/octet-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] chunk = new byte[8 * 1024];
            for (int i = 0; i < 100_000 && stop.getCount() > 0; i++) {
                out.write(chunk);
                out.flush();
                written.addAndGet(chunk.length);
            }
        };

        Command result = call(5_000L);

        assertThat(result).isEqualTo(new Completion(INVOCATION_ID, 1,
                Outcome.failure(502, "the service's response is larger than the limit of " + LIMIT + " bytes")));
        assertThat(writeFailed.await(10, TimeUnit.SECONDS)).as("the endpoint's writes fail: connection closed").isTrue();
        assertThat(written.get()).isLessThan(100_000L * 8 * 1024);
    }

    @Test
    void anErrorWithAHugeBodyIsStillRetriedWithTheStartOfItsBodyAsMessage() {
        byte[] body = new byte[10 * LIMIT];
        Arrays.fill(body, (byte) 'x');
        answer = exchange -> send(exchange, 503, body, false);

        Command result = call(5_000L);

        assertThat(result).isInstanceOfSatisfying(AttemptFailed.class, failed -> {
            assertThat(failed.failure().code()).isEqualTo(503);
            assertThat(failed.failure().message()).startsWith("xxxx").hasSizeLessThan(5_000);
        });
    }

    @Test
    void aServiceThatSendsItsHeadersAndThenStreamsForeverIsRetriedAfterTheInactivityTimeout() {
        answer = exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            while (stop.getCount() > 0) {
                out.write('.');
                out.flush();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        };

        long started = System.nanoTime();
        Command result = call(500L);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(result).isInstanceOfSatisfying(AttemptFailed.class, failed -> {
            assertThat(failed.failure().code()).isEqualTo(504);
            assertThat(failed.failure().message()).isEqualTo("the service did not answer within 500ms");
        });
        assertThat(tookMillis).isBetween(450L, 3_000L);
    }

    @Test
    void aServiceThatSendsItsHeadersAndThenNothingIsRetriedAfterTheInactivityTimeout() {
        answer = exchange -> {
            exchange.sendResponseHeaders(200, 100);
            exchange.getResponseBody().flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        Command result = call(500L);

        assertThat(result).isInstanceOfSatisfying(AttemptFailed.class,
                failed -> assertThat(failed.failure().code()).isEqualTo(504));
    }

    private Command call(Long timeoutMillis) {
        Dispatch dispatch = new Dispatch(INVOCATION_ID, 1, GREET, null, null, List.of(), Payload.EMPTY, 30_000,
                timeoutMillis);
        return new ServiceCall(Http11Clients.create(Duration.ofSeconds(5)), LIMIT)
                .run(dispatch, "http://127.0.0.1:" + server.getAddress().getPort(), null);
    }

    private static void send(HttpExchange exchange, int status, byte[] body, boolean octets) throws IOException {
        exchange.getResponseHeaders().add("content-type", octets ? "application/octet-stream" : "text/plain");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
