package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.schemas.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One invocation's trace across Ferry's roles and a real broker: the caller's {@code traceparent} is continued by
 * the ingress's span; the processor's and the dispatcher's spans join it through the traceparent in the headers of
 * the records Ferry writes (requests topic, dispatch topic, log); and the service is called with the traceparent of
 * the dispatch attempt's span. Spans go to the SDK's in-memory exporter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingIT {
    private static final String MANIFEST = """
            {"services":[{"name":"Traced","ty":"SERVICE","handlers":[{"name":"run"}]}]}""";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private OpenTelemetrySdk sdk;
    private FerryHarness ferry;
    private HttpServer service;
    /** The traceparent header each call to the service carried, by invocation id. */
    private final Map<String, String> traceparents = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .build();
        Tracing.use(sdk);
        ferry = FerryHarness.onSharedKafka().start();
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        service.createContext("/invoke/", this::run);
        service.start();
        Http.Response registered = ferry.admin().postJson("/deployments", "{\"uri\":\"http://127.0.0.1:"
                + service.getAddress().getPort() + "\",\"manifest\":" + MANIFEST + "}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        // Every processor task running: a call that reaches a task still starting is dispatched once the task has
        // caught up, or by its lease's timer, and such attempts start traces of their own (README "Traces").
        await().atMost(Duration.ofSeconds(60)).until(() -> ferry.admin().get("/health/ready").status() == 200);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.stop(0);
        }
        if (ferry != null) {
            ferry.close();
        }
        Tracing.use(null);
        sdk.close();
    }

    private void run(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            traceparents.put(exchange.getRequestHeaders().getFirst("x-restate-id"),
                    traceparent == null ? "none" : traceparent);
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Test
    void oneCallIsOneTraceFromTheCallerThroughTheProcessorAndTheDispatcherToTheService() {
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        String callerSpanId = HexFormat.of().formatHex(randomBytes(8));

        Http.Response call = ferry.ingress().postJson("/Traced/run", "{}",
                "traceparent", "00-" + traceId + "-" + callerSpanId + "-01");
        assertThat(call.status()).as(call.toString()).isEqualTo(200);
        String invocationId = call.header("x-restate-id");

        // Ingress call → process Invoke → dispatch attempt 1 → process Completion, each the child of the one before.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(trace(traceId))
                .extracting(SpanData::getName)
                .contains("call Traced/run", "process Invoke", "dispatch Traced/run", "process Completion"));
        List<SpanData> trace = trace(traceId);
        SpanData ingress = named(trace, "call Traced/run");
        SpanData invoke = named(trace, "process Invoke");
        SpanData dispatch = named(trace, "dispatch Traced/run");
        SpanData completion = named(trace, "process Completion");

        assertThat(ingress.getParentSpanId()).isEqualTo(callerSpanId);
        assertThat(ingress.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(invoke.getParentSpanId()).isEqualTo(ingress.getSpanId());
        assertThat(dispatch.getParentSpanId()).isEqualTo(invoke.getSpanId());
        assertThat(dispatch.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(completion.getParentSpanId()).isEqualTo(dispatch.getSpanId());
        for (SpanData span : List.of(ingress, invoke, dispatch, completion)) {
            assertThat(span.getAttributes().asMap()).as(span.getName())
                    .containsEntry(io.opentelemetry.api.common.AttributeKey.stringKey(Tracing.INVOCATION_ID),
                            invocationId);
        }
        assertThat(dispatch.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey(Tracing.ATTEMPT)))
                .isEqualTo(1L);

        // The service was called in the dispatch attempt's span, not with the caller's traceparent passed on.
        assertThat(traceparents.get(invocationId))
                .isEqualTo("00-" + traceId + "-" + dispatch.getSpanId() + "-01");
    }

    @Test
    void aCallWithoutATraceparentStartsATraceOfItsOwn() {
        Http.Response call = ferry.ingress().postJson("/Traced/run", "{}");
        assertThat(call.status()).as(call.toString()).isEqualTo(200);
        String invocationId = call.header("x-restate-id");

        await().atMost(Duration.ofSeconds(10)).until(() -> traceparents.containsKey(invocationId));
        String traceId = traceparents.get(invocationId).split("-")[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(trace(traceId))
                .extracting(SpanData::getName)
                .contains("call Traced/run", "process Invoke", "dispatch Traced/run"));
        assertThat(named(trace(traceId), "call Traced/run").getParentSpanContext().isValid()).isFalse();
    }

    private List<SpanData> trace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    private static SpanData named(List<SpanData> trace, String name) {
        return trace.stream().filter(span -> span.getName().equals(name)).findFirst().orElseThrow();
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
