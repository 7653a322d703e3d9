package dev.courier.server.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadOnChangeTest {
    @TempDir
    Path dir;

    @Test
    void runsTheActionWhenAFileIsReplacedAndNotBefore() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "one\n");
        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (ReloadOnChange watcher = ReloadOnChange.start("test", List.of(file), 20,
                () -> seen.add(read(file)))) {
            Path next = Files.writeString(dir.resolve("tokens.new"), "two, longer\n");
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("two, longer\n");
            watcher.reloadNow();
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("two, longer\n");
            // Each change or request is one run: nothing more is queued.
            assertThat(seen.poll(100, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void anActionThatThrowsDoesNotStopTheWatcher() throws Exception {
        Path file = Files.writeString(dir.resolve("cert"), "a");
        LinkedBlockingQueue<Integer> runs = new LinkedBlockingQueue<>();
        try (ReloadOnChange watcher = ReloadOnChange.start("test", List.of(file), 20, () -> {
            runs.add(1);
            throw new IllegalStateException("bad pair");
        })) {
            watcher.reloadNow();
            assertThat(runs.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
            Files.writeString(file, "changed, longer");
            assertThat(runs.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
