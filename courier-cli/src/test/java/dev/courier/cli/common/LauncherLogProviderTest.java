package dev.courier.cli.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's SLF4J provider: LogSetup's configuration without a search, and a user's configuration file first. */
class LauncherLogProviderTest {
    private static final String CONFIG = "logback.configurationFile";

    @Test
    void configuresLikeLogSetupWhenNoFileIsGiven() {
        LauncherLogProvider provider = new LauncherLogProvider();
        provider.initialize();
        LoggerContext context = assertInstanceOf(LoggerContext.class, provider.getLoggerFactory());
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<?> stderr = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDERR"));
        assertTrue(stderr.isStarted());
        assertEquals("System.err", stderr.getTarget());
        // Courier's loggers at WARN by default, as the service-loaded LogSetup leaves them
        assertTrue(context.getLogger("dev.courier.client.Foo").isWarnEnabled());
        assertFalse(context.getLogger("dev.courier.client.Foo").isInfoEnabled());
        assertFalse(context.getLogger("io.netty.channel.Foo").isInfoEnabled());
        assertTrue(context.isStarted());
        provider.getMDCAdapter().put("k", "v");
        assertEquals("v", provider.getMDCAdapter().get("k"));
        provider.getMDCAdapter().clear();
        context.stop();
    }

    @Test
    void aConfigurationFileOfTheUsersWins(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("out.log");
        Path config = Files.writeString(dir.resolve("mine.xml"), """
                <configuration>
                  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>%%level %%logger %%msg%%n</pattern></encoder>
                  </appender>
                  <root level="DEBUG"><appender-ref ref="FILE"/></root>
                </configuration>
                """.formatted(log));
        String before = System.getProperty(CONFIG);
        System.setProperty(CONFIG, config.toString());
        LoggerContext context;
        try {
            LauncherLogProvider provider = new LauncherLogProvider();
            provider.initialize();
            context = (LoggerContext) provider.getLoggerFactory();
        } finally {
            if (before == null) {
                System.clearProperty(CONFIG);
            } else {
                System.setProperty(CONFIG, before);
            }
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(null, root.getAppender("STDERR"));
        context.getLogger("dev.courier.client.Foo").debug("from the user's file");
        context.stop();
        assertEquals("DEBUG dev.courier.client.Foo from the user's file\n",
                Files.readString(log, StandardCharsets.UTF_8));
    }
}
