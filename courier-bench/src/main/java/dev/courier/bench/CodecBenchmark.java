package dev.courier.bench;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageCodec;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
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
 * ns/op; run with {@code -prof gc} (bench/jmh.sh does) for bytes allocated per op. Buffers are pooled direct
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
        // A CHUNK frame as the decoder sees it: header and prefix, then (here: zeroed) file data.
        chunkFrame = alloc.directBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES + CHUNK_DATA_BYTES);
        MessageCodec.encodeChunkHeader(chunkFrame, 42, 1L << 30, CHUNK_DATA_BYTES, false, false, 0);
        chunkFrame.writeZero(CHUNK_DATA_BYTES);
        chunkFrame.skipBytes(FrameDescriptor.LENGTH_FIELD_BYTES);
    }

    private static ByteBuf frameOf(PooledByteBufAllocator alloc, Message m) {
        ByteBuf b = alloc.directBuffer(256);
        MessageCodec.encode(m, b);
        b.skipBytes(FrameDescriptor.LENGTH_FIELD_BYTES); // decode() takes the bytes after the length field
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
        MessageCodec.encode(point, out);
        return out.writerIndex();
    }

    @Benchmark
    public int encodePointValue() {
        out.clear();
        MessageCodec.encode(pointValue, out);
        return out.writerIndex();
    }

    @Benchmark
    public int encodeChunkHeader() {
        out.clear();
        MessageCodec.encodeChunkHeader(out, 42, 1L << 30, CHUNK_DATA_BYTES, false, false, 0);
        return out.writerIndex();
    }

    @Benchmark
    public Message decodePoint() {
        return MessageCodec.decode(pointFrame.duplicate());
    }

    @Benchmark
    public Message decodePointValue() {
        return MessageCodec.decode(pointValueFrame.duplicate());
    }

    /** The header and prefix of a 1 MiB CHUNK; the data stays a (retained, then released) slice, never copied. */
    @Benchmark
    public long decodeChunkHeader() {
        ChunkReply c = (ChunkReply) MessageCodec.decode(chunkFrame.duplicate());
        long offset = c.offsetBytes();
        c.release();
        return offset;
    }
}
