package dev.courier.server.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload locks on a real directory, two "nodes" in one JVM, time from a clock the test moves. */
class UploadLeasesTest {
    static final long LEASE_MILLIS = 1_000;

    @TempDir
    Path dir;
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    UploadLeases node(String id) {
        return new UploadLeases(id, LEASE_MILLIS, now::get);
    }

    @Test
    void aLiveLockIsAConflictForAnotherNodeAndNamesItsHolder() throws Exception {
        Path part = dir.resolve("a.bin.courier-part");
        UploadLeases a = node("a");
        a.acquire(part, "a.bin");
        String lock = Files.readString(UploadLeases.lockOf(part));
        assertThat(lock).contains("node a").contains("pid " + ProcessHandle.current().pid())
                .contains("lease-until-ms " + (now.get() + LEASE_MILLIS));
        now.addAndGet(LEASE_MILLIS - 1);
        assertThatThrownBy(() -> node("b").acquire(part, "a.bin")).isInstanceOf(Failure.class)
                .satisfies(f -> assertThat(((Failure) f).code()).isEqualTo(ErrorCode.UPLOAD_CONFLICT))
                .hasMessageContaining("(a pid ");
        try (var left = Files.list(dir)) {
            assertThat(left).as("no temporary files left").containsExactly(UploadLeases.lockOf(part));
        }
    }

    @Test
    void aRenewedLockStaysAndAnExpiredOneIsTakenOverAndItsOldHolderLearnsIt() {
        Path part = dir.resolve("b.bin.courier-part");
        UploadLeases a = node("a");
        UploadLeases b = node("b");
        a.acquire(part, "b.bin");
        now.addAndGet(LEASE_MILLIS - 10);
        a.renewAll();
        now.addAndGet(LEASE_MILLIS - 10); // past the first lease, within the renewed one
        assertThatThrownBy(() -> b.acquire(part, "b.bin")).isInstanceOf(Failure.class);
        now.addAndGet(20); // a stalled past its lease
        b.acquire(part, "b.bin");
        assertThat(a.lost(part)).isFalse();
        a.renewAll();
        assertThat(a.lost(part)).as("a's renewal finds b's lock").isTrue();
        assertThatThrownBy(() -> a.check(part, "b.bin")).isInstanceOf(Failure.class)
                .hasMessageContaining("taken over");
        b.check(part, "b.bin");
        a.release(part); // a lets go of what it lost: b's lock stays
        assertThat(UploadLeases.lockOf(part)).exists();
        b.release(part);
        assertThat(UploadLeases.lockOf(part)).doesNotExist();
    }

    @Test
    void theSameNodeAcquiringAgainRenewsAndAStaleForeignLockIsTakenOver() throws Exception {
        Path part = dir.resolve("c.bin.courier-part");
        UploadLeases a = node("a");
        a.acquire(part, "c.bin");
        now.addAndGet(500);
        a.acquire(part, "c.bin");
        assertThat(Files.readString(UploadLeases.lockOf(part))).contains("lease-until-ms " + (now.get() + LEASE_MILLIS));
        Files.writeString(UploadLeases.lockOf(part), "courier upload lock\nnode x\nlease-until-ms 12");
        node("b").acquire(part, "c.bin");
        assertThat(Files.readString(UploadLeases.lockOf(part))).contains("node b");
    }
}
