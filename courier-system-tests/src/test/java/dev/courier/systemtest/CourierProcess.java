package dev.courier.systemtest;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code courier} command run as a real child JVM with this JVM's class path, its stdout and stderr read line
 * by line so a test can wait for what it prints. Killing it with {@link #kill()} is a real SIGKILL.
 */
final class CourierProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = Collections.synchronizedList(new ArrayList<>());

    private CourierProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), "out: ");
        pump(process.getErrorStream(), "err: ");
    }

    /** Starts {@code courier ARGS...}; {@code prefix} goes before java (for example prlimit). */
    static CourierProcess start(List<String> prefix, String... args) throws IOException {
        return start(prefix, System.getProperty("java.class.path"), args);
    }

    private static CourierProcess start(List<String> prefix, String classPath, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("dev.courier.cli.CourierCli");
        cmd.addAll(List.of(args));
        return new CourierProcess(new ProcessBuilder(cmd).start());
    }

    static CourierProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /** Starts a server and waits until it listens; returns it. */
    static CourierProcess server(String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("serve", "--bind", "127.0.0.1"));
        a.addAll(List.of(args));
        CourierProcess p = start(a.toArray(String[]::new));
        p.awaitLine(l -> l.startsWith("out: courier: serving"), 90); // a JVM on a busy machine can take a while
        return p;
    }

    /**
     * Starts a server, as {@link #server}, on the class path without the test classes and test jars, so it logs
     * as an installed one does (the CLI's own logging setup, not the tests' {@code logback-test.xml}).
     */
    static CourierProcess productionServer(String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("serve", "--bind", "127.0.0.1"));
        a.addAll(List.of(args));
        CourierProcess p = start(List.of(), productionClassPath(), a.toArray(String[]::new));
        p.awaitLine(l -> l.startsWith("out: courier: serving"), 90);
        return p;
    }

    /** {@link #start(String...)} on the class path of {@link #productionServer}. */
    static CourierProcess startProduction(String... args) throws IOException {
        return start(List.of(), productionClassPath(), args);
    }

    private static String productionClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes") && !e.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private void pump(InputStream in, String tag) {
        Thread.ofPlatform().daemon().name("pump-" + tag.strip()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.add(tag + line);
                    lines.add(tag + line);
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        });
    }

    /** Waits for a printed line (prefixed "out: " or "err: ") that matches; fails after the timeout. */
    String awaitLine(Predicate<String> match, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no matching line within " + timeoutSeconds + " s; output so far:\n"
                        + String.join("\n", output()) + "\n" + threadDump());
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    /** The child's threads, for a failure message: what was it doing instead? */
    private String threadDump() {
        if (!process.isAlive()) {
            return "(the process has exited with " + process.exitValue() + ")";
        }
        try {
            Path jstack = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jstack");
            Process p = new ProcessBuilder(jstack.toString(), String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return dump;
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    List<String> output() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    private static final Pattern OPERATIONS_PORT = Pattern.compile("operations HTTP on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern LEGACY_PORT = Pattern.compile("legacy protocol on 127\\.0\\.0\\.1:(\\d+)");

    /** The port a server started with {@code --metrics 0} serves its operations HTTP on, from its start-up line. */
    int operationsPort() {
        return portIn(OPERATIONS_PORT, "operations");
    }

    /** The port a server started with {@code --legacy-port 0} serves the legacy protocol on. */
    int legacyPort() {
        return portIn(LEGACY_PORT, "legacy");
    }

    private int portIn(Pattern line, String which) {
        for (String l : output()) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no " + which + " port in " + output());
    }

    /** Waits for the process to end and returns its exit code. */
    int waitFor(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process still running after " + timeoutSeconds + " s; output:\n"
                    + String.join("\n", output()));
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM: the graceful way. Sent through the process handle, because {@link Process#destroy()} also closes
     * our end of the child's output pipes, and what it prints while shutting down would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
