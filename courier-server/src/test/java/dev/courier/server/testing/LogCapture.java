package dev.courier.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The log lines of some classes, as the server writes them (logback, the tests' backend), for tests of what the
 * server logs. Lines are collected from any thread; {@link #close} detaches.
 */
public final class LogCapture implements AutoCloseable {
    /**
     * One line: its level, its message with the arguments filled in, and its key-value pairs (SLF4J's fluent API, as
     * the access log writes them), each value as text.
     */
    public record Line(Level level, String message, Map<String, String> keyValues) {
    }

    private final List<Logger> loggers;
    /** The levels the loggers had before {@link #atInfo} set theirs, put back on {@link #close}. */
    private final List<Level> levelsBefore;
    private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            Map<String, String> pairs = new LinkedHashMap<>();
            if (e.getKeyValuePairs() != null) {
                e.getKeyValuePairs().forEach(kv -> pairs.put(kv.key, String.valueOf(kv.value)));
            }
            lines.add(new Line(e.getLevel(), e.getFormattedMessage(), Collections.unmodifiableMap(pairs)));
        }
    };

    private LogCapture(List<Logger> loggers) {
        this.loggers = loggers;
        this.levelsBefore = loggers.stream().map(Logger::getLevel).toList();
        appender.start();
        for (Logger l : loggers) {
            l.addAppender(appender);
        }
    }

    /** Starts collecting what {@code classes} log. */
    public static LogCapture of(Class<?>... classes) {
        return of(Arrays.stream(classes).map(Class::getName).toArray(String[]::new));
    }

    /** Starts collecting what the loggers named {@code names} log (a class's name, for a class out of reach). */
    public static LogCapture of(String... names) {
        return new LogCapture(Arrays.stream(names).map(n -> (Logger) LoggerFactory.getLogger(n)).toList());
    }

    /**
     * Starts collecting what the loggers named {@code names} log at INFO and above, with their level set to INFO
     * until {@link #close}: for a logger the tests' configuration leaves off, such as the access log.
     */
    public static LogCapture atInfo(String... names) {
        LogCapture capture = of(names);
        capture.loggers.forEach(l -> l.setLevel(Level.INFO));
        return capture;
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Waits up to {@code timeoutMillis} for a line that matches, and returns it; fails when none comes. */
    public Line await(Predicate<Line> match, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            for (Line l : lines) {
                if (match.test(l)) {
                    return l;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching log line within " + timeoutMillis + " ms; lines: " + lines());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling the collected lines
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).detachAppender(appender);
            loggers.get(i).setLevel(levelsBefore.get(i));
        }
        appender.stop();
    }
}
