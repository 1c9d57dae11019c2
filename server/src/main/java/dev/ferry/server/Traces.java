package dev.ferry.server;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Ferry's traces are exported over OTLP when an endpoint is configured, with OpenTelemetry's standard variables
 * (<a href="https://opentelemetry.io/docs/languages/java/configuration/">OpenTelemetry SDK configuration</a>):
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, and every other {@code OTEL_*}
 * variable the SDK's autoconfiguration reads. Without an endpoint, or with {@code OTEL_SDK_DISABLED=true}, there is
 * no SDK at all and tracing costs nothing (see {@code dev.ferry.schemas.Tracing}).
 */
final class Traces {
    /**
     * Defaults below the environment: Ferry's name; OTLP over HTTP, the only protocol its sender (the JDK's HTTP
     * client) speaks, where the Java SDK's own default is gRPC; traces only (its metrics are Prometheus's on
     * /metrics, its logs on standard output).
     */
    private static final Map<String, String> DEFAULTS = Map.of(
            "otel.service.name", "ferry",
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none");

    private Traces() {}

    /** The SDK the environment asks for, or null when it asks for none. */
    static OpenTelemetrySdk fromEnvironment(Map<String, String> env) {
        if ("true".equals(setting(env, "OTEL_SDK_DISABLED").toLowerCase(Locale.ROOT))
                || (setting(env, "OTEL_EXPORTER_OTLP_ENDPOINT").isBlank()
                        && setting(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").isBlank())) {
            return null;
        }
        // The SDK reads the process's environment itself; the variables given here count as much (they are the
        // same in a process; a test gives its own), Ferry's defaults less.
        Map<String, String> properties = new HashMap<>(DEFAULTS);
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        try {
            return AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> properties)
                    .disableShutdownHook() // FerryServer closes it, after the roles
                    .build()
                    .getOpenTelemetrySdk();
        } catch (ConfigurationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new FerryConfig.InvalidConfig("the OTEL_* settings of traces cannot be used: " + cause.getMessage());
        }
    }

    /** Where the traces go, for the start log. */
    static String endpoint(Map<String, String> env) {
        String traces = setting(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        return traces.isBlank() ? setting(env, "OTEL_EXPORTER_OTLP_ENDPOINT") : traces;
    }

    /** A variable, or the system property the SDK reads in its place ({@code otel.sdk.disabled}). */
    private static String setting(Map<String, String> env, String name) {
        String property = System.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'));
        return property != null ? property : env.getOrDefault(name, "");
    }
}
