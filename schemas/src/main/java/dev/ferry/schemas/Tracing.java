package dev.ferry.schemas;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Ferry's traces (OpenTelemetry): the tracer every role uses, and the W3C trace context ({@code traceparent},
 * {@code tracestate}) that links their spans across processes in the headers of the Kafka records Ferry writes and
 * of the HTTP requests it sends (<a href="https://www.w3.org/TR/trace-context/">W3C Trace Context</a>).
 *
 * <p>Off unless the server installs an SDK ({@link #use}): then {@link #tracer()} is null, and the hot path pays one
 * volatile read and nothing else: no span, no context, no header, no allocation. The trace context travels in record
 * headers only, never in the JSON of a record.
 */
public final class Tracing {
    /** The instrumentation scope of Ferry's spans. */
    public static final String SCOPE = "dev.ferry";
    /** Span attributes: which invocation, which attempt. */
    public static final String INVOCATION_ID = "ferry.invocation_id";
    public static final String SERVICE = "ferry.service";
    public static final String HANDLER = "ferry.handler";
    public static final String ATTEMPT = "ferry.attempt";
    /** The W3C headers: Ferry replaces them in what it passes on to a service with its own dispatch span's. */
    public static final List<String> HEADERS = W3CTraceContextPropagator.getInstance().fields().stream().toList();

    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Headers> RECORD_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            for (Header header : headers) {
                keys.add(header.key());
            }
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null || header.value() == null ? null
                    : new String(header.value(), StandardCharsets.ISO_8859_1);
        }
    };

    private static volatile Tracer tracer;

    private Tracing() {}

    /** Traces with this OpenTelemetry from now on; null turns tracing off. */
    public static void use(OpenTelemetry openTelemetry) {
        tracer = openTelemetry == null ? null : openTelemetry.getTracer(SCOPE);
    }

    /** The tracer, or null when tracing is off: callers then skip every step of tracing. */
    public static Tracer tracer() {
        return tracer;
    }

    /** The trace context a record's headers carry; {@link Context#root()} when they carry none. */
    public static Context fromRecord(Headers headers) {
        return W3C.extract(Context.root(), headers, RECORD_HEADERS);
    }

    /** The trace context of any carrier, such as an HTTP request's headers. */
    public static <C> Context from(C carrier, TextMapGetter<C> getter) {
        return W3C.extract(Context.root(), carrier, getter);
    }

    /**
     * Record headers carrying the current span's trace context, for a record written as part of that span; null when
     * tracing is off or no span is current (the record then gets no headers of Ferry's).
     */
    public static Headers recordHeaders() {
        if (tracer == null || !Span.current().getSpanContext().isValid()) {
            return null;
        }
        RecordHeaders headers = new RecordHeaders();
        W3C.inject(Context.current(), headers,
                (carrier, key, value) -> carrier.add(key, value.getBytes(StandardCharsets.ISO_8859_1)));
        return headers;
    }

    /** Hands the current span's trace context, as HTTP header names and values, to {@code header}. */
    public static void httpHeaders(BiConsumer<String, String> header) {
        if (tracer != null && Span.current().getSpanContext().isValid()) {
            W3C.inject(Context.current(), header, BiConsumer::accept);
        }
    }
}
