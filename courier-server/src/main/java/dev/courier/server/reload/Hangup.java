package dev.courier.server.reload;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP as "reload", as nginx and most daemons treat it, instead of the JVM's default (run the shutdown hooks and
 * exit). Installed once, when the first watcher registers; each registered action is run on the signal thread, so it
 * must only hand work to another thread ({@link ReloadOnChange#reloadNow} does).
 */
final class Hangup {
    private static final Logger log = LoggerFactory.getLogger(Hangup.class);
    private static final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private Hangup() {
    }

    static synchronized void register(Runnable action) {
        actions.add(action);
        if (!installed) {
            installed = true;
            try {
                Signal.handle(new Signal("HUP"), signal -> actions.forEach(Runnable::run));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // -Xrs, or a platform without SIGHUP: changes are still picked up by polling.
                log.warn("cannot handle SIGHUP ({}); files are reloaded when they change", e.toString());
            }
        }
    }

    static void unregister(Runnable action) {
        actions.remove(action);
    }
}
