package dev.courier.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.Arrays;
import java.util.List;
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
    /** One line: its level and its message with the arguments filled in. */
    public record Line(Level level, String message) {
    }

    private final List<Logger> loggers;
    private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            lines.add(new Line(e.getLevel(), e.getFormattedMessage()));
        }
    };

    private LogCapture(List<Logger> loggers) {
        this.loggers = loggers;
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
        for (Logger l : loggers) {
            l.detachAppender(appender);
        }
        appender.stop();
    }
}
