package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code get} and {@code put} as curl, rsync and cp users expect them, through the real CLI against a real server
 * whose served root is also its upload directory (so DIGEST sees what was uploaded).
 */
class GetPutHabitsTest {
    @TempDir
    static Path root;
    static CourierServer server;
    static String address;
    static byte[] a;
    static byte[] b;

    @BeforeAll
    static void start() throws Exception {
        Random random = new Random(15);
        a = new byte[300_000];
        random.nextBytes(a);
        b = new byte[70_000];
        random.nextBytes(b);
        Files.write(root.resolve("a.bin"), a);
        Files.write(root.resolve("b.bin"), b);
        Files.createDirectories(root.resolve("tree/sub/deeper"));
        Files.write(root.resolve("tree/x.bin"), a);
        Files.write(root.resolve("tree/sub/y.bin"), b);
        Files.write(root.resolve("tree/sub/deeper/z.bin"), b);
        byte[] big = new byte[4 << 20];
        random.nextBytes(big);
        Files.write(root.resolve("four-mib.bin"), big);
        server = CourierServer.start(TestServers.withUploads(root, root));
        address = "127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aDestinationEndingInASlashOrAnExistingFolderGetsTheFileInside(@TempDir Path dest) throws Exception {
        CliRun slash = run("get", "-s", address, "a.bin", "-o", dest + "/");
        assertThat(slash.exitCode()).as(slash.err()).isZero();
        assertThat(Files.readAllBytes(dest.resolve("a.bin"))).isEqualTo(a);
        Path folder = Files.createDirectory(dest.resolve("folder"));
        CliRun existing = run("get", "-s", address, "b.bin", "-o", folder.toString());
        assertThat(existing.exitCode()).as(existing.err()).isZero();
        assertThat(Files.readAllBytes(folder.resolve("b.bin"))).isEqualTo(b);
        CliRun file = run("get", "-s", address, "b.bin", "-o", dest.resolve("renamed.bin").toString());
        assertThat(file.exitCode()).as(file.err()).isZero();
        assertThat(Files.readAllBytes(dest.resolve("renamed.bin"))).isEqualTo(b);
    }

    @Test
    void aMissingDestinationFolderIsNamedAndCreateDirsMakesIt(@TempDir Path dest) throws Exception {
        Path missing = dest.resolve("missing/sub");
        CliRun folder = run("get", "-s", address, "a.bin", "-o", missing + "/");
        assertThat(folder.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(folder.err()).contains("LOCAL_IO_ERROR").contains(missing.toString()).contains("does not exist")
                .contains("--create-dirs").hasLineCount(1);
        CliRun file = run("get", "-s", address, "a.bin", "-o", missing.resolve("a.bin").toString());
        assertThat(file.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(file.err()).contains(missing.toString()).contains("does not exist");
        assertThat(Files.exists(dest.resolve("missing"))).isFalse();
        CliRun created = run("get", "-s", address, "a.bin", "-o", missing + "/", "--create-dirs");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(Files.readAllBytes(missing.resolve("a.bin"))).isEqualTo(a);
    }

    @Test
    void theServersModificationTimeIsKept(@TempDir Path dest) throws Exception {
        Path served = root.resolve("dated.bin");
        Files.write(served, b);
        FileTime when = FileTime.from(Instant.parse("2001-02-03T04:05:06.789Z"));
        Files.setLastModifiedTime(served, when);
        CliRun r = run("get", "-s", address, "dated.bin", "-o", dest + "/");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.getLastModifiedTime(dest.resolve("dated.bin")).toMillis()).isEqualTo(when.toMillis());
    }

    @Test
    void aLocalFileWithTheServersSha256IsNotFetchedAgainAndADifferentOneIs(@TempDir Path dest) throws Exception {
        Path local = dest.resolve("a.bin");
        Files.write(local, a);
        // A part file left beside it would be resumed by a download: it must stay untouched when nothing is fetched.
        CliRun same = run("get", "-s", address, "a.bin", "-o", dest + "/", "--json");
        assertThat(same.exitCode()).as(same.err()).isZero();
        Map<String, Object> skipped = JsonFields.object(same.out().strip());
        assertThat(skipped.get("skipped")).isEqualTo("up to date");
        assertThat(skipped.get("sha256")).isEqualTo(sha256(a));
        assertThat(skipped.get("bytes")).isEqualTo((long) a.length);
        assertThat(run("get", "-s", address, "a.bin", "-o", dest + "/").out()).contains("already up to date");

        byte[] changed = a.clone();
        changed[12_345] ^= 1;
        Files.write(local, changed);
        CliRun different = run("get", "-s", address, "a.bin", "-o", dest + "/", "--json");
        assertThat(different.exitCode()).as(different.err()).isZero();
        assertThat(JsonFields.object(different.out().strip())).containsEntry("skipped", null);
        assertThat(Files.readAllBytes(local)).isEqualTo(a);
    }

    @Test
    void noClobberLeavesAnExistingFileAlone(@TempDir Path dest) throws Exception {
        Path local = dest.resolve("a.bin");
        Files.write(local, b);
        CliRun r = run("get", "-s", address, "a.bin", "-o", dest + "/", "--no-clobber", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(JsonFields.object(r.out().strip())).containsEntry("skipped", "exists");
        assertThat(Files.readAllBytes(local)).isEqualTo(b);
    }

    @Test
    void getJsonHasTheDocumentedFieldsFromAJsonLibrary(@TempDir Path dest) throws Exception {
        CliRun r = run("get", "-s", address, "b.bin", "-o", dest + "/", "--json", "--chunk-size", "16K");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> f = JsonFields.object(r.out().strip());
        assertThat(f).containsEntry("name", "b.bin").containsEntry("path", dest.resolve("b.bin").toString())
                .containsEntry("bytes", (long) b.length).containsEntry("sha256", sha256(b))
                .containsEntry("resumed_bytes", 0L).containsEntry("chunk_bytes", 16L * 1024)
                .containsEntry("skipped", null);
        assertThat((Double) f.get("seconds")).isPositive();
        assertThat((Double) f.get("final_sync_seconds")).isNotNegative();
    }

    @Test
    void severalNamesGoIntoTheFolderAndAFailureIsReportedForItsFileAlone(@TempDir Path dest) throws Exception {
        CliRun r = run("get", "-s", address, "a.bin", "nope.bin", "b.bin", "-o", dest + "/", "--json");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(Files.readAllBytes(dest.resolve("a.bin"))).isEqualTo(a);
        assertThat(Files.readAllBytes(dest.resolve("b.bin"))).isEqualTo(b);
        assertThat(r.err()).contains("courier: nope.bin: NOT_FOUND");
        List<Map<String, Object>> lines = JsonFields.lines(r.out());
        assertThat(lines).extracting(m -> m.get("name")).containsExactly("a.bin", "nope.bin", "b.bin");
        assertThat((String) lines.get(1).get("error")).startsWith("NOT_FOUND");
        CliRun toFile = run("get", "-s", address, "a.bin", "b.bin", "-o", dest.resolve("one").toString());
        assertThat(toFile.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(toFile.err()).contains("several files go into a folder");
    }

    @Test
    void recursiveRecreatesTheTreeAndReportsWhatItsBoundsLeaveOut(@TempDir Path dest) throws Exception {
        CliRun r = run("get", "-s", address, "-r", "tree", "-o", dest + "/");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(dest.resolve("tree/x.bin"))).isEqualTo(a);
        assertThat(Files.readAllBytes(dest.resolve("tree/sub/y.bin"))).isEqualTo(b);
        assertThat(Files.readAllBytes(dest.resolve("tree/sub/deeper/z.bin"))).isEqualTo(b);

        Path shallow = dest.resolve("shallow");
        CliRun bounded = run("get", "-s", address, "-r", "tree", "-o", shallow + "/", "--create-dirs",
                "--max-depth", "1");
        assertThat(bounded.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(bounded.err()).contains("tree/sub/deeper: deeper than --max-depth 1");
        assertThat(Files.exists(shallow.resolve("tree/sub/y.bin"))).isTrue();
        assertThat(Files.exists(shallow.resolve("tree/sub/deeper"))).isFalse();

        CliRun many = run("get", "-s", address, "-r", "tree", "-o", dest.resolve("many") + "/", "--create-dirs",
                "--max-files", "2");
        assertThat(many.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(many.err()).contains("more than 2 files under 'tree'");
        assertThat(Files.exists(dest.resolve("many/tree"))).isFalse();

        CliRun badBound = run("get", "-s", address, "-r", "tree", "-o", dest + "/", "--max-files", "0");
        assertThat(badBound.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badBound.err()).contains("--max-files at least 1");

        CliRun outside = run("get", "-s", address, "-r", "../", "-o", dest + "/");
        assertThat(outside.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(outside.err()).contains("OUTSIDE_ROOT");
    }

    @Test
    void limitRateHoldsADownloadToTheRate(@TempDir Path dest) throws Exception {
        long start = System.nanoTime();
        CliRun r = run("get", "-s", address, "four-mib.bin", "-o", dest + "/", "--limit-rate", "2M");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.size(dest.resolve("four-mib.bin"))).isEqualTo(4L << 20);
        // 4 MiB at 2 MiB/s is 2 s, less at most one burst of the bucket: a lower bound only.
        assertThat(seconds).isGreaterThanOrEqualTo(1.5);
    }

    @Test
    void putOfAFileTheServerHoldsSendsNothingAndSaysSo(@TempDir Path local) throws Exception {
        Path served = root.resolve("held.bin");
        Files.write(served, a);
        FileTime old = FileTime.from(Instant.parse("2002-03-04T05:06:07Z"));
        Files.setLastModifiedTime(served, old);
        Path copy = Files.write(local.resolve("held.bin"), a);
        CliRun same = run("put", "-s", address, copy.toString(), "--json");
        assertThat(same.exitCode()).as(same.err()).isZero();
        Map<String, Object> f = JsonFields.object(same.out().strip());
        assertThat(f).containsEntry("name", "held.bin").containsEntry("skipped", "already there")
                .containsEntry("sha256", sha256(a)).containsEntry("bytes", (long) a.length);
        // Nothing was committed: an upload would have renamed a new file into place.
        assertThat(Files.getLastModifiedTime(served)).isEqualTo(old);
        assertThat(run("put", "-s", address, copy.toString()).out()).contains("already holds").contains("nothing sent");

        Files.write(copy, b);
        CliRun changed = run("put", "-s", address, copy.toString(), "--json");
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(JsonFields.object(changed.out().strip())).containsEntry("skipped", null)
                .containsEntry("sha256", sha256(b));
        assertThat(Files.readAllBytes(served)).isEqualTo(b);
    }

    @Test
    void putTakesSeveralFilesAndStillAFileAndAName(@TempDir Path local) throws Exception {
        Path one = Files.write(local.resolve("put-one.bin"), b);
        Path two = Files.write(local.resolve("put-two.bin"), a);
        CliRun r = run("put", "-s", address, one.toString(), two.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(JsonFields.lines(r.out())).extracting(m -> m.get("name"))
                .containsExactly("put-one.bin", "put-two.bin");
        assertThat(Files.readAllBytes(root.resolve("put-one.bin"))).isEqualTo(b);
        assertThat(Files.readAllBytes(root.resolve("put-two.bin"))).isEqualTo(a);
        CliRun renamed = run("put", "-s", address, one.toString(), "put-renamed.bin");
        assertThat(renamed.exitCode()).as(renamed.err()).isZero();
        assertThat(Files.readAllBytes(root.resolve("put-renamed.bin"))).isEqualTo(b);
    }

    @Test
    void lsJsonIsOneObjectPerEntry() throws Exception {
        CliRun r = run("ls", "-s", address, "tree", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<Map<String, Object>> entries = JsonFields.lines(r.out());
        assertThat(entries).extracting(m -> m.get("name")).containsExactlyInAnyOrder("x.bin", "sub");
        Map<String, Object> x = entries.stream().filter(m -> m.get("name").equals("x.bin")).findFirst().orElseThrow();
        long mtime = Files.getLastModifiedTime(root.resolve("tree/x.bin")).toMillis();
        assertThat(x).containsEntry("type", "file").containsEntry("size_bytes", (long) a.length)
                .containsEntry("modified_millis", mtime)
                .containsEntry("modified", Instant.ofEpochMilli(mtime).toString());
        assertThat(entries).filteredOn(m -> m.get("name").equals("sub")).extracting(m -> m.get("type"))
                .containsExactly("directory");
    }

    @Test
    void sizesAndDurationsTakeUnitsAndABadOneNamesItsOption(@TempDir Path dest) throws IOException {
        CliRun r = run("get", "-s", address, "a.bin", "-o", dest + "/", "--json", "--chunk-size", "64K",
                "--stall-timeout-ms", "10s", "--timeout-ms", "5s", "--window-size", "1M");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(JsonFields.object(r.out().strip())).containsEntry("chunk_bytes", 64L * 1024);
        CliRun bad = run("get", "-s", address, "a.bin", "--chunk-size", "1Q");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("--chunk-size").contains("'1Q' is not a size");
        CliRun badDuration = run("serve", "--port", "0", "--idle-timeout-ms", "soon");
        assertThat(badDuration.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.err()).contains("--idle-timeout-ms").contains("'soon' is not a duration");
        CliRun smallChunk = run("serve", "--port", "0", "--max-chunk", "2K");
        assertThat(smallChunk.err()).contains("--max-chunk must be at least 4096 bytes");
    }
}
