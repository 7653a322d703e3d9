package dev.courier.cli.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

/** The encoder that starts LogSetup's on the first event: not before, and then writes what the wrapped one writes. */
class StartOnFirstEventTest {
    @Test
    void startsTheWrappedEncoderOnlyWhenTheFirstEventIsWritten() {
        LoggerContext context = new LoggerContext();
        PatternLayoutEncoder inner = encoder(context);
        StartOnFirstEvent<ILoggingEvent> lazy = new StartOnFirstEvent<>(inner);
        lazy.setContext(context);
        lazy.start();
        assertTrue(lazy.isStarted());
        assertFalse(inner.isStarted(), "started when configured");
        assertArrayEquals(null, lazy.headerBytes());

        LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.courier.Test"), Level.WARN, "hello {}",
                null, new Object[] {"there"});
        PatternLayoutEncoder eager = encoder(context);
        eager.start();
        assertArrayEquals(eager.encode(event), lazy.encode(event));
        assertTrue(inner.isStarted());
        lazy.stop();
        assertFalse(inner.isStarted());
    }

    private static PatternLayoutEncoder encoder(LoggerContext context) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(LogSetup.PATTERN);
        return e;
    }
}
