package dev.courier.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.files.FileVersion;
import dev.courier.server.testing.LogCapture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link ReadTransfers} puts READs back together into transfers, in the orders of answers a real connection
 * cannot be made to produce on demand: answers out of order, answers to a transfer already written, gaps. Each call
 * is what the connection's handler makes on its event loop; the lines are written in the calling thread.
 */
class ReadTransfersTest {
    private static final int CHUNK = 1000;
    /** Two whole chunks and a short last one. */
    private static final FileVersion THREE_CHUNKS = new FileVersion(1, 10, 2 * CHUNK + 7, 5_000_000, 5_000_000);
    private static final FileVersion ONE_CHUNK = new FileVersion(1, 11, 300, 5_000_000, 5_000_000);

    private final ReadTransfers transfers = new ReadTransfers(new InetSocketAddress("127.0.0.1", 40_000));
    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.atInfo(AccessLog.LOGGER);
    }

    @AfterEach
    void stop() {
        log.close();
    }

    private List<Map<String, String>> lines() {
        return log.lines().stream().map(LogCapture.Line::keyValues).toList();
    }

    @Test
    void answersOutOfOrderEndTheTransferWhenTheLastOfThemIsIn() {
        int a = transfers.requested("f", 0, CHUNK);
        int b = transfers.requested("f", CHUNK, CHUNK);
        int c = transfers.requested("f", 2 * CHUNK, CHUNK);
        transfers.sent(c, THREE_CHUNKS, 7, true);
        transfers.sent(a, THREE_CHUNKS, CHUNK, false);
        assertThat(lines()).as("a READ is still unanswered").isEmpty();
        transfers.sent(b, THREE_CHUNKS, CHUNK, false);
        assertThat(lines()).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("kind", ReadTransfers.KIND).containsEntry("name", "f")
                .containsEntry("bytes", String.valueOf(THREE_CHUNKS.sizeBytes()))
                .containsEntry("reads", "3").containsEntry("outcome", "ok"));
    }

    @Test
    void answersToATransferEndedByAReadOfAnotherFileAreNotCounted() {
        int first = transfers.requested("f", 0, CHUNK);
        int other = transfers.requested("g", 0, CHUNK);
        transfers.sent(first, THREE_CHUNKS, CHUNK, false);
        transfers.sent(other, ONE_CHUNK, (int) ONE_CHUNK.sizeBytes(), true);
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(0)).containsEntry("name", "f").containsEntry("bytes", "0").containsEntry("reads", "1")
                .containsEntry("outcome", "partial");
        assertThat(lines().get(1)).containsEntry("name", "g")
                .containsEntry("bytes", String.valueOf(ONE_CHUNK.sizeBytes())).containsEntry("outcome", "ok");
    }

    @Test
    void readsThatSkipAheadArePartialEvenWhenEveryByteWasSent() {
        int last = transfers.requested("f", 2 * CHUNK, CHUNK);
        int middle = transfers.requested("f", CHUNK, CHUNK);
        int start = transfers.requested("f", 0, CHUNK);
        transfers.sent(start, THREE_CHUNKS, CHUNK, false);
        transfers.sent(middle, THREE_CHUNKS, CHUNK, false);
        transfers.sent(last, THREE_CHUNKS, 7, true);
        assertThat(lines()).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("bytes", String.valueOf(THREE_CHUNKS.sizeBytes())).containsEntry("outcome", "partial"));
    }

    @Test
    void chunksFromTwoVersionsOfTheFileAreVersionChanged() {
        FileVersion rewritten = new FileVersion(1, 10, THREE_CHUNKS.sizeBytes(), 6_000_000, 6_000_000);
        int a = transfers.requested("f", 0, CHUNK);
        int b = transfers.requested("f", CHUNK, CHUNK);
        int c = transfers.requested("f", 2 * CHUNK, CHUNK);
        transfers.sent(a, THREE_CHUNKS, CHUNK, false);
        transfers.sent(b, rewritten, CHUNK, false);
        transfers.sent(c, rewritten, 7, true);
        assertThat(lines()).singleElement().satisfies(l -> assertThat(l).containsEntry("outcome", "version_changed"));
    }

    @Test
    void anErrorEndsTheTransferOnceItsOtherReadsAreAnsweredAndWinsOverTheirChunks() {
        int a = transfers.requested("f", 0, CHUNK);
        int b = transfers.requested("f", CHUNK, CHUNK);
        transfers.failed(b, ErrorCode.FILE_CHANGED);
        assertThat(lines()).isEmpty();
        transfers.sent(a, THREE_CHUNKS, CHUNK, false);
        assertThat(lines()).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("bytes", String.valueOf(CHUNK)).containsEntry("reads", "2")
                .containsEntry("outcome", ErrorCode.FILE_CHANGED.name()));
        int again = transfers.requested("f", CHUNK, CHUNK);
        transfers.closed();
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(1)).containsEntry("reads", "1").containsEntry("outcome", "connection_closed");
        transfers.sent(again, THREE_CHUNKS, CHUNK, false);
        assertThat(lines()).as("an answer after the close is not counted").hasSize(2);
    }
}
