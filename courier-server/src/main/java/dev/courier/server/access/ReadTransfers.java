package dev.courier.server.access;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.files.FileVersion;
import java.net.SocketAddress;

/**
 * The downloads by READs of one connection, for the access log's {@code transfer ended} lines of kind
 * {@value #KIND}. A client that does not stream (one older than READ_STREAM, or {@code courier get --no-stream})
 * downloads a file with one READ per chunk; this puts those READs back together into transfers, as nginx writes one
 * line per request and rsync one per file.
 *
 * <p>A transfer is the READs of one file name on one connection, in the order the server reads them. It begins with a
 * READ when none is open, and ends
 * <ul>
 *   <li>when no READ of it is left unanswered and a CHUNK with the file's last byte has been sent, or a READ of it was
 *       answered with an ERROR;</li>
 *   <li>when the connection reads another file (answers still to come to its READs are not counted);</li>
 *   <li>when the connection closes.</li>
 * </ul>
 * Its {@code outcome}, in this order of precedence: the error code of the first of its READs answered with an ERROR;
 * {@code version_changed} when its chunks came from more than one version of the file (it was replaced or written to
 * during the download); {@code connection_closed} when the connection closed with some of its READs unanswered;
 * {@code ok} when every byte of the file was sent in answer to its READs; {@code partial} otherwise (the download was
 * spread over several connections, resumed, or stopped early). The READs "cover" the file when the first asks for
 * offset 0, each later one starts no further than the end of the bytes asked for before it, and together they reach
 * the file's size: so a client that reads in order, as every Courier client does, gets {@code ok} for a whole file,
 * and one that reads backwards gets {@code partial} even when every byte was sent.
 *
 * <p>{@code bytes} are the file bytes of the CHUNKs written in answer (a chunk re-fetched is counted again), and
 * {@code reads} the READs received, answered or not. READs refused before they are served (by the rate limit, a
 * token's scope, or a server that is draining) are not part of any transfer.
 *
 * <p>One transfer at a time, in a few fields reused from one to the next: the state is bounded and nothing is
 * allocated per READ. Each READ gets the transfer's tag from {@link #requested}, and gives it back with its answer,
 * so an answer to a transfer already written is told apart. Made per connection only while the access log is on;
 * confined to the connection's event loop, no lock.
 */
public final class ReadTransfers {
    /** The {@code kind} of these lines. */
    public static final String KIND = "file_reads";

    private final SocketAddress peer;
    /** The tag of the open transfer, or of the next one; changed whenever one ends. */
    private int tag;
    /** The open transfer's file name as the client sent it; null when none is open. */
    private String name;
    private long startNanos;
    private long reads;
    private long bytes;
    private int unanswered;
    /** While {@link #gap} is false, the bytes [0, coveredBytes) were asked for by READs that left no gap. */
    private long coveredBytes;
    private boolean gap;
    /** The version the first chunk was sent from; null before it. */
    private FileVersion version;
    private boolean versionChanged;
    private boolean lastSent;
    /** The code of the first READ answered with an ERROR; null while none is. */
    private ErrorCode error;

    public ReadTransfers(SocketAddress peer) {
        this.peer = peer;
    }

    /**
     * A READ of {@code lengthBytes} at {@code offsetBytes} of {@code name} was received: it joins the open transfer
     * of that name, or ends the open one of another name and begins a new one.
     *
     * @return the tag to give back with its answer, to {@link #sent} or {@link #failed}
     */
    public int requested(String name, long offsetBytes, int lengthBytes) {
        if (this.name != null && !this.name.equals(name)) {
            end("partial");
        }
        if (this.name == null) {
            this.name = name;
            startNanos = System.nanoTime();
        }
        reads++;
        unanswered++;
        if (offsetBytes > coveredBytes) {
            gap = true;
        } else if (!gap) {
            // offsetBytes <= coveredBytes, which grows by one chunk per READ: the sum cannot overflow.
            coveredBytes = Math.max(coveredBytes, offsetBytes + Math.max(0, lengthBytes));
        }
        return tag;
    }

    /**
     * The READ of {@code tag} was answered with a CHUNK of {@code countBytes} from {@code from}; {@code last} when it
     * holds the file's last byte.
     */
    public void sent(int tag, FileVersion from, int countBytes, boolean last) {
        if (tag != this.tag || name == null) {
            return;
        }
        unanswered--;
        bytes += countBytes;
        if (version == null) {
            version = from;
        } else if (!version.equals(from)) {
            versionChanged = true;
        }
        lastSent |= last;
        endIfAnswered();
    }

    /** The READ of {@code tag} was answered with an ERROR of {@code code}. */
    public void failed(int tag, ErrorCode code) {
        if (tag != this.tag || name == null) {
            return;
        }
        unanswered--;
        if (error == null) {
            error = code;
        }
        endIfAnswered();
    }

    /** The connection is gone: the open transfer, if any, ends. */
    public void closed() {
        if (name != null) {
            end(unanswered > 0 ? "connection_closed" : "partial");
        }
    }

    private void endIfAnswered() {
        if (unanswered == 0 && (lastSent || error != null)) {
            end("partial");
        }
    }

    /**
     * Writes the open transfer's line and makes way for the next: its outcome is {@code otherwise} unless an error,
     * a change of version or the whole file sent says more.
     */
    private void end(String otherwise) {
        String outcome;
        if (error != null) {
            outcome = error.name();
        } else if (versionChanged) {
            outcome = "version_changed";
        } else if (unanswered == 0 && lastSent && !gap && coveredBytes >= version.sizeBytes()) {
            outcome = "ok";
        } else {
            outcome = otherwise;
        }
        AccessLog.reads(peer, name, bytes, reads, startNanos, outcome);
        tag++;
        name = null;
        reads = 0;
        bytes = 0;
        unanswered = 0;
        coveredBytes = 0;
        gap = false;
        version = null;
        versionChanged = false;
        lastSent = false;
        error = null;
    }
}
