package dev.courier.bench;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Reply;
import dev.courier.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode cost of the frames on the points hot path (POINT, POINT_VALUE) and of the CHUNK header, in
 * ns/op, through {@link MessageWriter} and {@link MessageReader} (a POINT read as the server reads it, a POINT_VALUE
 * and a CHUNK as the client does); run with {@code -prof gc} (bench/jmh.sh does) for bytes allocated per op. Buffers are pooled direct
 * buffers, as on a real channel, and reused across operations so only the codec itself is measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class CodecBenchmark {
    private static final int CHUNK_DATA_BYTES = 1 << 20;

    private final PointRequest point = new PointRequest(42, "7", 12.344, 1);
    private final PointReply pointValue = new PointReply(42, -0.255, 3086, 12.344);
    private ByteBuf out;
    private ByteBuf pointFrame;
    private ByteBuf pointValueFrame;
    private ByteBuf chunkFrame;

    @Setup(Level.Trial)
    public void setUp() {
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        out = alloc.directBuffer(256);
        pointFrame = frameOf(alloc, point);
        pointValueFrame = frameOf(alloc, pointValue);
        // A whole CHUNK frame as the reader sees it: header and prefix, then (here: zeroed) file data.
        chunkFrame = alloc.directBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES + CHUNK_DATA_BYTES);
        MessageWriter.writeChunkHeader(42, 1L << 30, CHUNK_DATA_BYTES, false, false, false, 0, chunkFrame);
        chunkFrame.writeZero(CHUNK_DATA_BYTES);
    }

    private static ByteBuf frameOf(PooledByteBufAllocator alloc, Message m) {
        ByteBuf b = alloc.directBuffer(256);
        MessageWriter.write(m, b);
        return b;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        pointFrame.release();
        pointValueFrame.release();
        chunkFrame.release();
    }

    @Benchmark
    public int encodePoint() {
        out.clear();
        MessageWriter.write(point, out);
        return out.writerIndex();
    }

    @Benchmark
    public int encodePointValue() {
        out.clear();
        MessageWriter.write(pointValue, out);
        return out.writerIndex();
    }

    @Benchmark
    public int encodeChunkHeader() {
        out.clear();
        MessageWriter.writeChunkHeader(42, 1L << 30, CHUNK_DATA_BYTES, false, false, false, 0, out);
        return out.writerIndex();
    }

    @Benchmark
    public Request decodePoint() {
        return MessageReader.readRequest(pointFrame.duplicate());
    }

    @Benchmark
    public Reply decodePointValue() {
        return MessageReader.readReply(pointValueFrame.duplicate());
    }

    /** The header and prefix of a 1 MiB CHUNK; the data stays a (retained, then released) slice, never copied. */
    @Benchmark
    public long decodeChunkHeader() {
        ChunkReply c = (ChunkReply) MessageReader.readReply(chunkFrame.duplicate());
        long offset = c.offsetBytes();
        c.release();
        return offset;
    }
}
