package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final SpanContext SPAN = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
            TraceFlags.getSampled(), TraceState.getDefault());

    @AfterEach
    void off() {
        Tracing.use(null);
    }

    @Test
    void offRecordsGetNoHeadersAndRequestsNoTraceparentEvenInsideASpan() {
        try (Scope ignored = Span.wrap(SPAN).makeCurrent()) {
            assertThat(Tracing.tracer()).isNull();
            assertThat(Tracing.recordHeaders()).isNull();
            Map<String, String> http = new LinkedHashMap<>();
            Tracing.httpHeaders(http::put);
            assertThat(http).isEmpty();
        }
    }

    @Test
    void onTheCurrentSpanTravelsAsATraceparentHeaderAndIsReadBack() {
        Tracing.use(OpenTelemetry.noop());
        assertThat(Tracing.recordHeaders()).as("no span is current").isNull();

        try (Scope ignored = Span.wrap(SPAN).makeCurrent()) {
            Headers headers = Tracing.recordHeaders();
            assertThat(new String(headers.lastHeader("traceparent").value(), StandardCharsets.ISO_8859_1))
                    .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            assertThat(Span.fromContext(Tracing.fromRecord(headers)).getSpanContext().getSpanId())
                    .isEqualTo(SPAN.getSpanId());
            Map<String, String> http = new LinkedHashMap<>();
            Tracing.httpHeaders(http::put);
            assertThat(http).containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        }
    }

    @Test
    void aRecordWithoutATraceparentHasNoTraceContext() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "not a traceparent".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(Span.fromContext(Tracing.fromRecord(headers)).getSpanContext().isValid()).isFalse();
        assertThat(Span.fromContext(Tracing.fromRecord(new RecordHeaders())).getSpanContext().isValid()).isFalse();
    }
}
