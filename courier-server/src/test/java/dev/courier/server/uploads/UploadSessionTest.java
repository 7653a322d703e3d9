package dev.courier.server.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.Sha256;
import dev.courier.journal.RangeSet;
import dev.courier.journal.TransferJournal;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The states of one upload, on real files: what a COMMIT shuts out and waits for. */
class UploadSessionTest {
    private static final Sha256 SHA = new Sha256(new byte[32]);

    @TempDir
    Path dir;

    private UploadSession open(long sizeBytes) throws Exception {
        Path target = dir.resolve("f.bin");
        Path part = dir.resolve("f.bin.courier-part");
        Path journal = dir.resolve("f.bin.courier-part.journal");
        UploadSession s = new UploadSession("f.bin", 1, target, part, journal, sizeBytes, SHA, 100,
                () -> true);
        FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        s.opened(channel, TransferJournal.create(journal, new TransferJournal.Header(sizeBytes, 0, SHA)),
                new RangeSet(), 0);
        s.publish();
        return s;
    }

    private static void failsWith(ThrowingRunnable r, ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(Failure.class, f -> assertThat(f.code()).isEqualTo(code));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aCommitOfAnIncompleteUploadLeavesItOpenForTheMissingBytes() throws Exception {
        UploadSession s = open(100);
        s.endWrite(0, 50, s.startWrite(0, 50) != null);
        failsWith(s::startCommit, ErrorCode.UPLOAD_INCOMPLETE);
        assertThat(s.state()).isEqualTo(UploadSession.State.OPEN);
        assertThat(s.startWrite(50, 50)).isNotNull();
    }

    @Test
    void whileCommittingNoWriteIsLetInAndAFailedCommitLetsThemInAgain() throws Exception {
        UploadSession s = open(100);
        assertThat(s.startWrite(0, 100)).isNotNull();
        s.endWrite(0, 100, true);
        assertThat(s.startCommit()).isNotNull();
        failsWith(() -> s.startWrite(0, 100), ErrorCode.UPLOAD_CONFLICT);
        s.commitFailed();
        assertThat(s.startWrite(0, 100)).as("held already: acknowledged, not written").isNull();
    }

    @Test
    void aCommitWaitsForTheWritesInFlightAndCountsTheirBytes() throws Exception {
        UploadSession s = open(100);
        assertThat(s.startWrite(0, 100)).isNotNull(); // in flight
        CompletableFuture<FileChannel> commit = CompletableFuture.supplyAsync(() -> {
            try {
                return s.startCommit();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (s.state() != UploadSession.State.COMMITTING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(s.state()).isEqualTo(UploadSession.State.COMMITTING);
        assertThat(commit).as("waits for the write").isNotDone();
        s.endWrite(0, 100, true);
        assertThat(commit.get(5, TimeUnit.SECONDS)).as("and then has every byte").isNotNull();
    }

    @Test
    void aClosedUploadIsUnknownAndItsFilesCloseWhenTheLastWriteEnds() throws Exception {
        UploadSession s = open(100);
        UploadSession.Write w = s.startWrite(0, 100);
        s.close();
        assertThat(w.part().isOpen()).as("the write in flight keeps its file").isTrue();
        failsWith(() -> s.startWrite(0, 100), ErrorCode.UNKNOWN_UPLOAD);
        s.endWrite(0, 100, true);
        assertThat(w.part().isOpen()).isFalse();
        failsWith(s::startCommit, ErrorCode.UNKNOWN_UPLOAD);
    }
}
