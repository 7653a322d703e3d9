package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.client.DownloadProgress;
import dev.courier.client.FileDigest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import dev.courier.journal.RangeSet;
import dev.courier.journal.TransferJournal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where one pass of a download puts one version of a file: {@code NAME.courier-part} and its {@link TransferJournal},
 * which say which verified chunks are already there, so an interrupted download continues from them. It starts over
 * when asked to, or when the journal names another version of the file; it refuses to start when the disk has no
 * room for what is still missing. Only a complete, verified file is synced and renamed to its final name. When the
 * download discards its bytes there is no file at all ({@link #none}).
 *
 * <p>Not thread-safe as a whole: one download opens, finishes or discards it. While the chunks arrive, the lanes hand
 * them to its {@link #writer()}, which takes them at once and syncs the part file behind them.
 */
public final class PartFile implements AutoCloseable {
    private final FileDigest version;
    private final Path part;
    private RangeSet onDisk;
    private FileChannel out;
    private TransferJournal journal;
    /** Null when discarding, and until the part file is open. */
    private PartWriter writer;

    private PartFile(FileDigest version, Path part, RangeSet onDisk, FileChannel out, TransferJournal journal) {
        this.version = version;
        this.part = part;
        this.onDisk = onDisk;
        this.out = out;
        this.journal = journal;
    }

    /** No file: the bytes of {@code version} are verified and thrown away. */
    public static PartFile none(FileDigest version) {
        return new PartFile(version, null, new RangeSet(), null, null);
    }

    /**
     * Opens (or starts) the part file {@code part} and its journal {@code journalPath} for {@code version} of
     * {@code name}, and tells {@code progress} when it resumes or starts over.
     *
     * @param startOver drop what an earlier pass left instead of resuming from it
     * @throws CourierException LOCAL_IO_ERROR when the bytes still missing do not fit on the disk
     */
    public static PartFile open(String name, FileDigest version, Path part, Path journalPath, boolean startOver,
                                DownloadProgress progress) throws IOException {
        long size = version.sizeBytes();
        if (startOver) {
            Files.deleteIfExists(journalPath);
            Files.deleteIfExists(part);
        }
        TransferJournal.Opened opened = TransferJournal.open(journalPath,
                new TransferJournal.Header(size, version.modifiedMillis(), Sha256.ofHex(version.sha256Hex())));
        PartFile file = new PartFile(version, part, new RangeSet(), null, opened.journal());
        try {
            opened.restartReason().ifPresent(why -> progress.note(name + " changed on the server since the "
                    + "interrupted download (" + why + "); starting over"));
            file.out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (opened.resumed()) {
                file.onDisk = TransferJournal.verified(opened.entries(), file.out, size);
                progress.note("resuming " + name + ": " + file.onDisk.totalBytes() + " of " + size
                        + " bytes already here and verified");
            } else {
                file.out.truncate(0);
            }
            file.writer = new PartWriter(file.out, file.journal);
            String noRoom = noRoom(name, part, size - file.onDisk.totalBytes());
            if (noRoom != null) {
                if (!opened.resumed()) {
                    file.discard(); // nothing of value in them yet
                }
                throw new CourierException(ErrorCode.LOCAL_IO_ERROR, noRoom);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Why a download cannot start for want of room, or null when it can: {@code neededBytes} still to fetch against
     * the usable space of the file system that holds {@code part}. The space can still run out meanwhile (another
     * writer); that is a write error then, and the progress is saved.
     */
    private static String noRoom(String name, Path part, long neededBytes) {
        long usable;
        try {
            usable = Files.getFileStore(part).getUsableSpace();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // no figure to check against: let the writes find out
        }
        return neededBytes <= usable ? null : name + " needs " + neededBytes + " more bytes, but only " + usable
                + " bytes are free where it goes (" + part.toAbsolutePath().getParent() + ")";
    }

    /** The version of the file this part file holds bytes of. */
    public FileDigest version() {
        return version;
    }

    /** The verified ranges an earlier pass left; empty when starting over or discarding. */
    RangeSet onDisk() {
        return onDisk;
    }

    /** Bytes already in place from an interrupted pass. */
    public long resumedBytes() {
        return onDisk.totalBytes();
    }

    /** The part file, for positional reads; null when discarding. */
    FileChannel channel() {
        return out;
    }

    /** Where verified chunks go: the part file and its journal; null when discarding. */
    PartWriter writer() {
        return writer;
    }

    /**
     * The file is complete and verified: syncs it and gives it its final name {@code target}.
     *
     * @return how long the sync before the rename took, in nanoseconds (0 when discarding); short, since the
     *         {@link PartWriter} synced most of the file while it arrived
     */
    public long finish(Path target) throws IOException {
        if (part == null) {
            return 0;
        }
        writer.stop();
        out.truncate(version.sizeBytes());
        long syncStart = System.nanoTime();
        out.force(true);
        long syncNanos = System.nanoTime() - syncStart;
        out.close();
        moveIntoPlace(part, target);
        journal.delete();
        journal = null;
        return syncNanos;
    }

    /** The bytes are not the file: removes the part file and its journal. */
    public void discard() throws IOException {
        if (part == null) {
            return;
        }
        writer.stop();
        journal.delete();
        journal = null;
        out.close();
        Files.deleteIfExists(part);
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself survives a crash
        } catch (IOException ignored) {
            // Not every file system can sync a directory.
        }
    }

    /** Closes the files; what is written and journaled stays for a resume. */
    @Override
    public void close() {
        if (writer != null && journal != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // The batch is lost: its chunks are fetched again on resume.
            }
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Already forced where it mattered.
            }
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException ignored) {
                // The journal is append-only; what is written stays valid.
            }
        }
    }
}
