package dev.courier.cli.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The command line's logging, configured in code rather than from {@code logback.xml}: parsing XML loads a parser and
 * a few hundred classes, a third of a second of every command's start on this machine, for a configuration that
 * never changes. Found by logback through {@code META-INF/services}; a {@code logback.xml} or
 * {@code -Dlogback.configurationFile} of the user's still wins (this configurator then does nothing).
 *
 * <p>Everything goes to standard error, so that a command's output on standard output stays clean for scripts.
 * Lines carry the date and the zone offset (logs outlive the day they were written on). Courier's own loggers log at
 * {@code courier.log.level} (default WARN), Netty's at WARN; the recording cache's progress (a long first conversion
 * of CSV to column files) at INFO unless the level is set.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** ISO 8601 with milliseconds and the zone offset: {@code 2026-12-02T02:14:37.512+00:00}. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback.xml") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        String level = System.getProperty("courier.log.level");
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(stderr);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("dev.courier").setLevel(Level.toLevel(level, Level.WARN));
        context.getLogger("dev.courier.server.points.RecordingCache").setLevel(Level.toLevel(level, Level.INFO));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
