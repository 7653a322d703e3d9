package dev.courier.transport;

import static dev.courier.protocol.fuzz.FuzzInput.EXECUTION_TIMEOUT_SECONDS;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.fuzz.AllocationBudget;
import dev.courier.protocol.fuzz.FuzzInput;
import dev.courier.protocol.fuzz.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the frame decoder with the message reader of either side: arbitrary bytes, cut into reads where the fuzzer
 * says ({@link FuzzInput}), go through a {@link FrameDecoder} on an {@link EmbeddedChannel}, then the channel
 * closes. {@code mvn verify} replays the committed corpus ({@code FrameDecoderFuzzTestInputs/frames/}); {@code
 * bench/fuzz.sh} fuzzes from it.
 *
 * <p>The oracle, for every input:
 * <ul>
 *   <li>every frame becomes a message or a non-fatal {@link ProtocolException} passed on in its place, and a fatal
 *       one reaches {@code exceptionCaught}; no other exception, no other object;</li>
 *   <li>each message read survives a round trip: written by {@link MessageWriter} and read again by the same
 *       side's {@link MessageReader}, it is written as the very same bytes (two messages are the same when they
 *       are written the same);</li>
 *   <li>the reads the fuzzer chose give exactly what the whole stream in one read gives;</li>
 *   <li>every buffer is released once the messages are (a {@link TrackingAllocator} counts them), and one
 *       execution allocates no more than its {@link AllocationBudget}.</li>
 * </ul>
 * None of this names a message type, so types added later are fuzzed without a change here.
 */
class FrameDecoderFuzzTest {
    /** Flags bit: decode as a client does (replies), not as a server (requests). */
    static final int FLAG_CLIENT = 0x01;
    /** Flags bit: the small frame limit, so that frames at and over it are cheap to reach. */
    static final int FLAG_SMALL_LIMIT = 0x02;
    static final int SMALL_MAX_FRAME_BYTES = 256;
    /** Above {@link FrameDecoder#LARGE_FRAME_BYTES}, so that big frames take the composite path. */
    static final int LARGE_MAX_FRAME_BYTES = FuzzInput.MAX_INPUT_BYTES;

    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void frames(byte[] data) {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        FuzzInput input = FuzzInput.parse(data);
        boolean client = (input.flags() & FLAG_CLIENT) != 0;
        int maxFrameBytes = (input.flags() & FLAG_SMALL_LIMIT) != 0 ? SMALL_MAX_FRAME_BYTES : LARGE_MAX_FRAME_BYTES;
        AllocationBudget.of(16 << 20, 64, data.length).run("decoding " + data.length + " bytes twice", () -> {
            List<String> asCut = decode(client, maxFrameBytes, input.reads());
            List<String> inOneRead = decode(client, maxFrameBytes,
                    input.stream().length == 0 ? List.of() : List.of(input.stream()));
            if (!asCut.equals(inOneRead)) {
                throw new AssertionError("the stream cut into " + input.reads().size() + " reads gave " + asCut
                        + " but in one read gave " + inOneRead);
            }
        });
    }

    /** What the decoder makes of {@code reads}, in order: one line per message, error or fatal failure. */
    private static List<String> decode(boolean client, int maxFrameBytes, List<byte[]> reads) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(client ? FrameDecoder.replies(maxFrameBytes) : FrameDecoder.requests(maxFrameBytes));
        List<String> outcomes = new ArrayList<>();
        for (byte[] read : reads) {
            DecoderException failure = null;
            try {
                channel.writeInbound(alloc.copyOf(read));
            } catch (DecoderException e) {
                failure = e;
            }
            drain(channel, client, alloc, outcomes);
            if (failure != null) {
                outcomes.add(fatal(failure));
            }
        }
        DecoderException failure = null;
        try {
            channel.finish();
        } catch (DecoderException e) {
            failure = e;
        }
        drain(channel, client, alloc, outcomes);
        if (failure != null) {
            outcomes.add(fatal(failure));
        }
        alloc.assertAllReleased();
        return outcomes;
    }

    private static void drain(EmbeddedChannel channel, boolean client, TrackingAllocator alloc,
                              List<String> outcomes) {
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            switch (o) {
                case Message m -> {
                    try {
                        outcomes.add(m.getClass().getSimpleName() + " " + roundTrip(m, client, alloc));
                    } finally {
                        m.release();
                    }
                }
                case ProtocolException e -> {
                    if (e.code().fatal()) {
                        throw new AssertionError("a fatal " + e.code() + " was passed on as a message", e);
                    }
                    outcomes.add("error " + e.code() + " for request " + e.requestId());
                }
                default -> throw new AssertionError("the decoder passed on a " + o.getClass().getName());
            }
        }
    }

    /** A fatal failure must be a fatal {@link ProtocolException}; anything else is a crash and is rethrown. */
    private static String fatal(DecoderException e) {
        if (e.getCause() instanceof ProtocolException p && p.code().fatal()) {
            return "fatal " + p.code();
        }
        throw e;
    }

    /** {@code m} written, read back by the side that read it and written again: the hex of both writes, checked equal. */
    private static String roundTrip(Message m, boolean client, TrackingAllocator alloc) {
        ByteBuf first = alloc.heapBuffer();
        ByteBuf second = alloc.heapBuffer();
        Message again = null;
        try {
            MessageWriter.write(m, first);
            String written = ByteBufUtil.hexDump(first);
            again = client ? MessageReader.readReply(first) : MessageReader.readRequest(first);
            MessageWriter.write(again, second);
            String rewritten = ByteBufUtil.hexDump(second);
            if (!written.equals(rewritten)) {
                throw new AssertionError(m + " was written as " + written + " but read back and written as "
                        + rewritten);
            }
            return written;
        } finally {
            if (again != null) {
                again.release();
            }
            first.release();
            second.release();
        }
    }
}
