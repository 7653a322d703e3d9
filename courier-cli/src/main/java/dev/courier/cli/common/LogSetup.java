package dev.courier.cli.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line's logging, configured in code rather than from {@code logback.xml}: parsing XML loads a parser and
 * a few hundred classes, a third of a second of every command's start on this machine, for a configuration that
 * never changes. Found by logback through {@code META-INF/services} (under {@code bin/courier}, called by
 * {@link LauncherLogProvider} without that search); a {@code logback.xml} or
 * {@code -Dlogback.configurationFile} of the user's still wins (this configurator then does nothing, and so does
 * {@link #apply}).
 *
 * <p>Everything goes to standard error, so that a command's output on standard output stays clean for scripts.
 * Lines carry the date and the zone offset (logs outlive the day they were written on), then any key-value pairs
 * of the event ({@code peer="127.0.0.1:40000" requests="3"}, as the access log writes them). Courier's own loggers
 * log at {@code courier.log.level} (default WARN), Netty's at WARN; the recording cache's progress (a long first
 * conversion of CSV to column files) at INFO unless the level is set. {@code serve --log-level/--log-format} and
 * every client command's {@code --log-level} change
 * this once the command line is parsed ({@link #apply}); {@link Format#JSON} writes one JSON object per line with
 * logback's own {@link JsonEncoder}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** ISO 8601 with milliseconds and the zone offset: {@code 2026-12-02T02:14:37.512+00:00}. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %msg%kvp{DOUBLE}%n";
    /** The server's access log: one line per connection closed, one per file transfer ended; INFO. */
    public static final String ACCESS_LOGGER = "courier.access";

    /** How lines are written. */
    public enum Format {
        TEXT,
        JSON
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (userConfigured()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configureInCode(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The configuration above, with no look for the user's files: what {@link #configure} does once it found none,
     * and what {@link LauncherLogProvider} does when no {@code -Dlogback.configurationFile} is given.
     */
    static void configureInCode(LoggerContext context) {
        String level = System.getProperty("courier.log.level");
        install(context, Format.TEXT);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("dev.courier").setLevel(Level.toLevel(level, Level.WARN));
        context.getLogger(ACCESS_LOGGER).setLevel(Level.toLevel(level, Level.WARN));
        context.getLogger("dev.courier.server.points.RecordingCache").setLevel(Level.toLevel(level, Level.INFO));
    }

    private static boolean userConfigured() {
        return System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback.xml") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null;
    }

    /**
     * Applies a command's {@code --log-level} and {@code --log-format}: each level is {@code LEVEL} (Courier's
     * loggers, the access log and the recording cache) or {@code LOGGER=LEVEL} (that logger alone, for example
     * {@code courier.access=off}), applied in order. Does nothing under a user's own logback configuration.
     *
     * @throws IllegalArgumentException naming a level that is not one of logback's
     */
    public static void apply(List<String> levels, Format format) {
        if (levels.isEmpty() && format == Format.TEXT) {
            return; // as configured: no need to look the user's files up again
        }
        if (userConfigured() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        for (String spec : levels) {
            int eq = spec.indexOf('=');
            Level level = level(eq < 0 ? spec : spec.substring(eq + 1));
            if (eq < 0) {
                context.getLogger("dev.courier").setLevel(level);
                context.getLogger(ACCESS_LOGGER).setLevel(level);
                context.getLogger("dev.courier.server.points.RecordingCache").setLevel(level);
            } else {
                context.getLogger(spec.substring(0, eq).strip()).setLevel(level);
            }
        }
        if (format != Format.TEXT) {
            install(context, format);
        }
    }

    private static Level level(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        return switch (n) {
            case "OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL" -> Level.toLevel(n);
            default -> throw new IllegalArgumentException("'" + name + "' is not a log level (off, error, warn, info, "
                    + "debug, trace)");
        };
    }

    /** One appender on the root logger, to standard error, in {@code format}; replaces any it had. */
    private static void install(LoggerContext context, Format format) {
        Encoder<ILoggingEvent> encoder = switch (format) {
            case TEXT -> {
                PatternLayoutEncoder text = new PatternLayoutEncoder();
                text.setContext(context);
                text.setPattern(PATTERN);
                yield text;
            }
            case JSON -> {
                JsonEncoder json = new JsonEncoder();
                json.setContext(context);
                json.setWithFormattedMessage(true);
                json.setWithMessage(false);
                json.setWithArguments(false);
                json.setWithContext(false);
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                yield json;
            }
        };
        StartOnFirstEvent<ILoggingEvent> lazy = new StartOnFirstEvent<>(encoder);
        lazy.setContext(context);
        lazy.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(lazy);
        stderr.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAndStopAllAppenders();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(stderr);
    }
}
