package dev.courier.bench;

import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.PointRequest;
import dev.courier.transport.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link FrameDecoder} in a pipeline ({@link EmbeddedChannel}): one read carrying {@value #FRAMES_PER_READ} POINT
 * frames, as a pipelining client sends them, cut into frames and decoded as the server decodes them. Reported per frame (ns/op, and B/op with
 * {@code -prof gc}). {@code split} delivers the same bytes in two reads cut inside a frame, the case that makes
 * the decoder keep a cumulation buffer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class FrameDecoderBenchmark {
    static final int FRAMES_PER_READ = 16;

    @Param({"false", "true"})
    boolean split;

    private EmbeddedChannel channel;
    private ByteBuf batch;

    @Setup(Level.Trial)
    public void setUp() {
        channel = new EmbeddedChannel(FrameDecoder.requests(1 << 20));
        batch = PooledByteBufAllocator.DEFAULT.directBuffer(64 * FRAMES_PER_READ);
        for (int i = 0; i < FRAMES_PER_READ; i++) {
            MessageWriter.write(new PointRequest(i + 1, Integer.toString(1 + i % 15), i * 0.004, 1), batch);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batch.release();
        channel.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_READ)
    public void decodeBatch(Blackhole bh) {
        if (split) {
            int cut = batch.readableBytes() / 2 + 3;
            channel.writeInbound(batch.retainedSlice(0, cut));
            channel.writeInbound(batch.retainedSlice(cut, batch.readableBytes() - cut));
        } else {
            channel.writeInbound(batch.retainedDuplicate());
        }
        Object m;
        while ((m = channel.readInbound()) != null) {
            bh.consume(m);
        }
    }
}
