package dev.ferry.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code FERRY_LOG_FORMAT} and {@code FERRY_LOG_LEVEL} to logback. Logback reads both from the environment
 * when it starts ({@code logback.xml}), before Ferry's configuration is read; once it is (it may come from the YAML
 * file), logback is configured again from the same file with the checked values.
 */
final class Logs {
    static final String FORMAT_PROPERTY = Setting.LOG_FORMAT.env();
    static final String LEVEL_PROPERTY = Setting.LOG_LEVEL.env();

    private Logs() {}

    /** This process's logging, unless it was given a logback configuration of its own. */
    static void apply(FerryConfig config) {
        if (System.getProperty("logback.configurationFile") != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        configure(context, config.logFormat(), config.logLevel());
    }

    /** Configures {@code context} from Ferry's {@code logback.xml} with this format and level of Ferry's lines. */
    static void configure(LoggerContext context, FerryConfig.LogFormat format, String level) {
        URL file = Logs.class.getResource("/logback.xml");
        context.reset();
        context.putProperty(FORMAT_PROPERTY, format.name().toLowerCase(Locale.ROOT));
        context.putProperty(LEVEL_PROPERTY, level);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(file);
        } catch (JoranException e) {
            throw new IllegalStateException("logback.xml cannot be applied: " + e.getMessage(), e);
        }
    }
}
