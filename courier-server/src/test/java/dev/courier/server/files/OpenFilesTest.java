package dev.courier.server.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.server.testing.NativeFs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared open files, on real files: one descriptor per file version, replaced when the file changes, closed
 * when unused beyond the cap and never while in use. Each case runs on the confined root and on the fallback that
 * checks, then opens.
 */
class OpenFilesTest {
    @TempDir
    Path root;

    private OpenFiles files(boolean confined, int maxOpenFiles) throws Exception {
        FileRoot r = new FileRoot(root, confined);
        assertThat(r.raceFree()).as("openat2 confinement on this machine").isEqualTo(confined);
        return new OpenFiles(r, maxOpenFiles);
    }

    @ParameterizedTest(name = "confined={0}")
    @ValueSource(booleans = {true, false})
    void requestsForOneVersionShareOneDescriptor(boolean confined) throws Exception {
        Files.writeString(root.resolve("a.txt"), "abc");
        OpenFiles files = files(confined, 10);

        OpenFile first = files.acquire("a.txt");
        OpenFile second = files.acquire("a.txt");

        assertThat(second).isSameAs(first);
        assertThat(first.version().sizeBytes()).isEqualTo(3);
        first.release();
        second.release();
        assertThat(first.channel().isOpen()).as("kept open, unused, under the cap").isTrue();
        assertThat(files.cachedFiles()).isEqualTo(1);
        files.close();
        assertThat(first.channel().isOpen()).isFalse();
    }

    @ParameterizedTest(name = "confined={0}")
    @ValueSource(booleans = {true, false})
    void aFileChangedInPlaceGetsANewDescriptorAndTheOldClosesWithItsLastUser(boolean confined) throws Exception {
        Path a = Files.writeString(root.resolve("a.txt"), "abc");
        OpenFiles files = files(confined, 10);
        OpenFile old = files.acquire("a.txt");

        Files.writeString(a, "d", StandardOpenOption.APPEND);
        OpenFile fresh = files.acquire("a.txt");

        assertThat(fresh).isNotSameAs(old);
        assertThat(fresh.version().sizeBytes()).isEqualTo(4);
        assertThat(fresh.version().inode()).isEqualTo(old.version().inode());
        assertThat(old.channel().isOpen()).as("still read by its request").isTrue();
        old.release();
        assertThat(old.channel().isOpen()).as("replaced and unused").isFalse();
        assertThat(fresh.channel().isOpen()).isTrue();
        fresh.release();
        assertThat(files.cachedFiles()).isEqualTo(1);
    }

    @ParameterizedTest(name = "confined={0}")
    @ValueSource(booleans = {true, false})
    void aFileReplacedByARenameIsOpenedAgain(boolean confined) throws Exception {
        Files.writeString(root.resolve("a.txt"), "old");
        OpenFiles files = files(confined, 10);
        OpenFile old = files.acquire("a.txt");
        old.release();

        Files.move(Files.writeString(root.resolve("a.tmp"), "new"), root.resolve("a.txt"),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        OpenFile fresh = files.acquire("a.txt");

        assertThat(fresh.version().inode()).isNotEqualTo(old.version().inode());
        assertThat(old.channel().isOpen()).isFalse();
        ByteBuffer b = ByteBuffer.allocate(3);
        fresh.channel().read(b, 0);
        assertThat(new String(b.array(), StandardCharsets.US_ASCII)).isEqualTo("new");
        fresh.release();
    }

    @Test
    void unusedFilesBeyondTheCapAreClosedLeastRecentlyUsedFirst() throws Exception {
        OpenFiles files = files(true, 2);
        List<OpenFile> opened = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Files.writeString(root.resolve("f" + i), "file " + i);
            OpenFile f = files.acquire("f" + i);
            f.release();
            opened.add(f);
        }
        assertThat(files.cachedFiles()).isEqualTo(2);
        assertThat(opened).extracting(f -> f.channel().isOpen()).containsExactly(false, false, true, true);

        files.acquire("f2").release(); // f2 is now the most recently used, f3 the least
        Files.writeString(root.resolve("f4"), "file 4");
        OpenFile f4 = files.acquire("f4");
        f4.release();

        assertThat(opened.get(2).channel().isOpen()).isTrue();
        assertThat(opened.get(3).channel().isOpen()).isFalse();
        assertThat(f4.channel().isOpen()).isTrue();
    }

    @Test
    void filesInUseStayOpenBeyondTheCapAndCloseWhenReleased() throws Exception {
        OpenFiles files = files(true, 1);
        List<OpenFile> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Files.writeString(root.resolve("f" + i), "file " + i);
            held.add(files.acquire("f" + i));
        }
        assertThat(held).allSatisfy(f -> assertThat(f.channel().isOpen()).isTrue());
        assertThat(files.cachedFiles()).isEqualTo(3);

        held.forEach(OpenFile::release);

        assertThat(files.cachedFiles()).isEqualTo(1);
        assertThat(held).extracting(f -> f.channel().isOpen()).containsExactly(false, false, true);
    }

    @Test
    void withACapOfZeroAFileClosesAsSoonAsItsLastUserIsDone() throws Exception {
        Files.writeString(root.resolve("a.txt"), "abc");
        OpenFiles files = files(true, 0);
        OpenFile a = files.acquire("a.txt");
        OpenFile again = files.acquire("a.txt");
        assertThat(again).isSameAs(a);
        a.release();
        assertThat(a.channel().isOpen()).isTrue();
        again.release();
        assertThat(a.channel().isOpen()).isFalse();
        assertThat(files.cachedFiles()).isZero();
    }

    @ParameterizedTest(name = "confined={0}")
    @ValueSource(booleans = {true, false})
    void directoriesFifosAndLinksOutOfTheRootAreRefused(boolean confined, @TempDir Path outside) throws Exception {
        Files.createDirectory(root.resolve("dir"));
        NativeFs.mkfifo(root.resolve("fifo"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.createSymbolicLink(root.resolve("out"), outside.resolve("secret"));
        Files.writeString(root.resolve("in.txt"), "inside");
        Files.createSymbolicLink(root.resolve("in-link"), root.resolve("in.txt"));
        OpenFiles files = files(confined, 10);

        assertThatThrownBy(() -> files.acquire("dir")).isInstanceOfSatisfying(Failure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.NOT_A_FILE));
        assertThatThrownBy(() -> files.acquire("fifo")).isInstanceOfSatisfying(Failure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.NOT_A_FILE));
        assertThatThrownBy(() -> files.acquire("out")).isInstanceOfSatisfying(Failure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.OUTSIDE_ROOT));
        assertThatThrownBy(() -> files.acquire("missing")).isInstanceOfSatisfying(Failure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.NOT_FOUND));
        OpenFile link = files.acquire("in-link");
        assertThat(link.version().sizeBytes()).as("a link that stays inside works").isEqualTo(6);
        assertThat(files.acquire("in.txt")).as("and shares the file it leads to").isSameAs(link);
    }
}
