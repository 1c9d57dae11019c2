package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracesTest {
    @Test
    void noEndpointOrADisabledSdkIsNoSdkAtAll() {
        assertThat(Traces.fromEnvironment(Map.of())).isNull();
        assertThat(Traces.fromEnvironment(Map.of("OTEL_SERVICE_NAME", "ferry-eu"))).isNull();
        assertThat(Traces.fromEnvironment(Map.of("OTEL_SDK_DISABLED", "TRUE",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))).isNull();
    }

    @Test
    void anEndpointIsAnSdkThatExportsThere() {
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        OpenTelemetrySdk sdk = Traces.fromEnvironment(env);
        try {
            assertThat(sdk).isNotNull();
            assertThat(sdk.getSdkTracerProvider().toString()).contains("service.name=\"ferry\"")
                    .contains("http://127.0.0.1:4318/v1/traces");
            assertThat(Traces.endpoint(env)).isEqualTo("http://127.0.0.1:4318/v1/traces");
        } finally {
            sdk.close();
        }
    }
}
