package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.protocol.WireExamples.Example;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each side reads only what the other side sends: the server's reader takes requests and refuses a reply's type, the
 * client's takes replies and refuses a request's, both as {@link ErrorCode#UNKNOWN_TYPE} with the frame's request id,
 * as for a type no version knows. HELLO, PING, PONG and ERROR travel both ways and read alike on both sides.
 */
class ReaderSidesTest {
    static List<Example> replies() {
        return List.of(
                new Example("POINT_VALUE", WireExamples.POINT_VALUE, 1),
                new Example("POINT_BATCH_VALUES", WireExamples.POINT_BATCH_VALUES, 3),
                new Example("LISTING", WireExamples.LISTING, 4),
                new Example("STAT_RESULT", WireExamples.STAT_RESULT, 6),
                new Example("CHUNK", WireExamples.CHUNK_WITH_CRC, 7),
                new Example("CHUNK", WireExamples.STREAM_CHUNK, 13),
                new Example("CHUNK", WireExamples.RANGE_CHUNK, 16),
                new Example("RECORDS_RESULT", WireExamples.RECORDS_RESULT, 15),
                new Example("ENVELOPE_RESULT", WireExamples.ENVELOPE_RESULT, 17),
                new Example("APPEND_ACK", WireExamples.APPEND_ACK, 18),
                new Example("CHUNK", WireExamples.LIVE_CHUNK, 19),
                new Example("DIGEST_RESULT", WireExamples.DIGEST_RESULT, 9),
                new Example("UPLOAD_READY", WireExamples.UPLOAD_READY, 10),
                new Example("UPLOAD_ACK", WireExamples.UPLOAD_ACK, 11),
                new Example("UPLOAD_DONE", WireExamples.UPLOAD_DONE, 12));
    }

    static List<Example> requests() {
        return List.of(
                new Example("POINT", WireExamples.POINT, 1),
                new Example("POINT_BATCH", WireExamples.POINT_BATCH, 3),
                new Example("LIST", WireExamples.LIST_LOGS, 5),
                new Example("STAT", WireExamples.STAT, 6),
                new Example("READ", WireExamples.READ, 7),
                new Example("DIGEST", WireExamples.DIGEST, 9),
                new Example("READ_STREAM", WireExamples.READ_STREAM, 13),
                new Example("WINDOW", WireExamples.WINDOW, 14),
                new Example("CANCEL", WireExamples.CANCEL, 14),
                new Example("RECORDS", WireExamples.RECORDS, 15),
                new Example("RANGE_STREAM", WireExamples.RANGE_STREAM, 16),
                new Example("ENVELOPE", WireExamples.ENVELOPE, 17),
                new Example("APPEND", WireExamples.APPEND, 18),
                new Example("SUBSCRIBE", WireExamples.SUBSCRIBE, 19),
                new Example("UPLOAD_BEGIN", WireExamples.UPLOAD_BEGIN, 10),
                new Example("UPLOAD_WRITE", WireExamples.UPLOAD_WRITE, 11),
                new Example("UPLOAD_COMMIT", WireExamples.UPLOAD_COMMIT, 12));
    }

    static List<Example> bothWays() {
        return List.of(
                new Example("HELLO", WireExamples.CLIENT_HELLO, 0),
                new Example("PING", WireExamples.PING, 8),
                new Example("PONG", WireExamples.PONG, 8),
                new Example("ERROR", WireExamples.ERROR_UNKNOWN_RECORD, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void theServersReaderRefusesAReplyAsAnUnknownType(Example reply) {
        ProtocolException e = refusal(MessageReader::readRequest, reply.hex());

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.code().fatal()).isTrue();
        assertThat(e.requestId()).isEqualTo(reply.requestId());
        assertThat(e.getMessage()).isEqualTo(reply.name() + " is a reply; a client may not send it");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void theClientsReaderRefusesARequestAsAnUnknownType(Example request) {
        ProtocolException e = refusal(MessageReader::readReply, request.hex());

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.code().fatal()).isTrue();
        assertThat(e.requestId()).isEqualTo(request.requestId());
        assertThat(e.getMessage()).isEqualTo(request.name() + " is a request; a server may not send it");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothWays")
    void aFrameThatTravelsBothWaysReadsAlikeOnBothSides(Example example) {
        ByteBuf frame = Hex.buffer(example.hex());
        try {
            Request asRequest = MessageReader.readRequest(frame.duplicate());
            Reply asReply = MessageReader.readReply(frame.duplicate());

            assertThat((Message) asReply).isEqualTo(asRequest);
            assertThat(asRequest.requestId()).isEqualTo(example.requestId());
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest(name = "length field {0}")
    @ValueSource(strings = {"0000000d", "0000000f", "ffffffff"})
    void aLengthFieldThatDoesNotCountTheBytesAfterItIsAMalformedFrame(String length) {
        String ping = Hex.compact(WireExamples.PING); // its length field is 0000000e
        String lying = length + ping.substring(8);

        for (Function<ByteBuf, Message> reader : List.<Function<ByteBuf, Message>>of(
                MessageReader::readRequest, MessageReader::readReply)) {
            ProtocolException e = refusal(reader, lying);

            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(e.requestId()).isZero();
        }
    }

    @Test
    void aRefusedFrameHoldsNoReferenceToItsBuffer() {
        ByteBuf chunk = Hex.buffer(WireExamples.CHUNK_WITH_CRC);
        ByteBuf write = Hex.buffer(WireExamples.UPLOAD_WRITE);

        catchThrowableOfType(ProtocolException.class, () -> MessageReader.readRequest(chunk));
        catchThrowableOfType(ProtocolException.class, () -> MessageReader.readReply(write));

        assertThat(chunk.release()).as("the CHUNK's buffer, released once").isTrue();
        assertThat(write.release()).as("the UPLOAD_WRITE's buffer, released once").isTrue();
    }

    /** What {@code reader} throws for the whole frame {@code hex}; the frame's buffer is released afterwards. */
    private static ProtocolException refusal(Function<ByteBuf, ? extends Message> reader, String hex) {
        ByteBuf frame = Hex.buffer(hex);
        try {
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> reader.apply(frame));
            assertThat(e).as("reading %s must fail", hex).isNotNull();
            return e;
        } finally {
            frame.release();
        }
    }
}
