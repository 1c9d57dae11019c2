package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        // OTLP over HTTP without saying so: the Java SDK's own default, gRPC, has no sender in Ferry.
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces");
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

    @Test
    void settingsTheSdkCannotUseStopFerryWithTheSdksReason() {
        assertThatThrownBy(() -> Traces.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
                .isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessageStartingWith("the OTEL_* settings of traces cannot be used: ")
                .hasMessageContaining("GrpcSenderProvider");
    }
}
