package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.LogContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ferry's logback.xml as {@link Logs} applies it, in a logger context of the test's own. */
class LogsTest {
    private static final String INVOCATION = "inv_1abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";

    @Test
    void aJsonLineParsesAndCarriesTheInvocationsFields() throws Exception {
        LoggerContext context = new LoggerContext();
        Logs.configure(context, FerryConfig.LogFormat.JSON, "INFO");

        String line = encode(context, "json", Map.of(LogContext.INVOCATION_ID, INVOCATION,
                LogContext.SERVICE, "Greeter", LogContext.HANDLER, "greet", LogContext.ATTEMPT, "2"));

        assertThat(line).endsWith("\n").doesNotContain("\n{"); // one object, one line
        JsonNode json = Json.MAPPER.readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("loggerName").asText()).isEqualTo("dev.ferry.dispatcher.Dispatcher");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("Reporting the outcome of attempt 2 failed");
        assertThat(json.get("timestamp").asLong()).isPositive();
        JsonNode mdc = json.get("mdc");
        assertThat(mdc.get("invocation_id").asText()).isEqualTo(INVOCATION);
        assertThat(mdc.get("service").asText()).isEqualTo("Greeter");
        assertThat(mdc.get("handler").asText()).isEqualTo("greet");
        assertThat(mdc.get("attempt").asText()).isEqualTo("2");
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("text")).isNull();
    }

    @Test
    void aTextLineShowsTheInvocationsFieldsOnlyWhenThereAreAny() {
        LoggerContext context = new LoggerContext();
        Logs.configure(context, FerryConfig.LogFormat.TEXT, "INFO");

        assertThat(encode(context, "text", Map.of(LogContext.INVOCATION_ID, INVOCATION, LogContext.ATTEMPT, "2")))
                .contains(" INFO  d.f.d.Dispatcher [").contains("invocation_id=" + INVOCATION).contains("attempt=2")
                .contains("] - Reporting the outcome of attempt 2 failed");
        assertThat(encode(context, "text", Map.of()))
                .contains(" INFO  d.f.d.Dispatcher - Reporting the outcome of attempt 2 failed");
    }

    @Test
    void theLevelAppliesToFerrysOwnLinesOnly() {
        LoggerContext context = new LoggerContext();
        Logs.configure(context, FerryConfig.LogFormat.TEXT, "DEBUG");

        assertThat(context.getLogger("dev.ferry.processor.CommandProcessor").getEffectiveLevel())
                .isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("org.apache.kafka.clients.consumer.KafkaConsumer").getEffectiveLevel())
                .isEqualTo(Level.WARN);
    }

    /** One event of the dispatcher's, with these MDC fields, as the named appender writes it. */
    private static String encode(LoggerContext context, String appender, Map<String, String> mdc) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> output =
                (OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender(appender);
        assertThat(output).as(appender).isNotNull();
        LoggingEvent event = new LoggingEvent(LogsTest.class.getName(),
                context.getLogger("dev.ferry.dispatcher.Dispatcher"), Level.INFO,
                "Reporting the outcome of attempt {} failed", null, new Object[] {2});
        event.setMDCPropertyMap(mdc);
        return new String(output.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}
