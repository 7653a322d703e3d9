package dev.courier.cli.common;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.ErrorStatus;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's provider for the distribution's launcher ({@code bin/courier} names it with {@code -Dslf4j.provider}):
 * logback, as logback's own {@code LogbackServiceProvider} gives it, but configured by {@link LogSetup} directly.
 * logback's provider first asks {@code ServiceLoader} for its configurators, and {@link LogSetup#configure} then
 * looks for a {@code logback.xml} and a {@code logback-test.xml} on the class path: three look-ups that each open
 * and read every jar of {@code lib/} (41 jars, 7,897 entries), about a tenth of a second of CPU of every command's
 * start and more of its wall time on a loaded machine (docs/benchmarks.md, "Start-up, fifth pass"). The launcher's
 * class path holds only the distribution's jars, none of which has such a file, so the look-ups could only miss.
 * A {@code -Dlogback.configurationFile} (through {@code COURIER_JAVA_OPTS}) still wins: logback's own
 * configuration then runs as before. Elsewhere (tests, an application embedding the CLI) SLF4J finds logback's
 * provider as usual and nothing changes. SLF4J calls {@link #initialize} once, before any other method.
 */
public final class LauncherLogProvider implements SLF4JServiceProvider {
    /** The SLF4J API version logback 1.5 asks for. */
    private static final String API_VERSION = "2.0.99";

    private LoggerContext context;
    private IMarkerFactory markers;
    private LogbackMDCAdapter mdc;

    @Override
    public void initialize() {
        context = new LoggerContext();
        context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        mdc = new LogbackMDCAdapter();
        context.setMDCAdapter(mdc);
        markers = new BasicMarkerFactory();
        if (System.getProperty("logback.configurationFile") != null) {
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                context.getStatusManager().add(new ErrorStatus("cannot configure logging from "
                        + System.getProperty("logback.configurationFile"), this, e));
            }
            // as logback's own provider does: a broken configuration is reported on the console, not silently
            if (!StatusUtil.contextHasStatusListener(context)) {
                StatusPrinter.printInCaseOfErrorsOrWarnings(context);
            }
        } else {
            LogSetup.configureInCode(context);
        }
        context.start();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return API_VERSION;
    }
}
