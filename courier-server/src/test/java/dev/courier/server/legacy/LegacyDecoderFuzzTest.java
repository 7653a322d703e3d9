package dev.courier.server.legacy;

import static dev.courier.protocol.fuzz.FuzzInput.EXECUTION_TIMEOUT_SECONDS;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.protocol.fuzz.AllocationBudget;
import dev.courier.protocol.fuzz.FuzzInput;
import dev.courier.protocol.fuzz.TrackingAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the legacy decoder: arbitrary bytes, cut into reads where the fuzzer says ({@link FuzzInput}; its flags
 * byte is unused here), go through a {@link LegacyDecoder} on an {@link EmbeddedChannel}, then the channel closes.
 * {@code mvn verify} replays the committed corpus ({@code LegacyDecoderFuzzTestInputs/requests/}); {@code
 * bench/fuzz.sh} fuzzes from it.
 *
 * <p>The legacy protocol has no error frames, so the decoder's one typed error is a {@link LegacyRequest.Malformed}
 * in the stream. The oracle, for every input: the decoder throws nothing and passes on only {@link LegacyRequest}s;
 * a Malformed, if any, is the last of them; the reads the fuzzer chose give exactly the requests that the whole
 * stream in one read gives; every buffer is released; and one execution stays within its
 * {@link AllocationBudget}.
 */
class LegacyDecoderFuzzTest {
    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void requests(byte[] data) {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        FuzzInput input = FuzzInput.parse(data);
        AllocationBudget.of(16 << 20, 64, data.length).run("decoding " + data.length + " bytes twice", () -> {
            List<LegacyRequest> asCut = decode(input.reads());
            List<LegacyRequest> inOneRead = decode(input.stream().length == 0 ? List.of() : List.of(input.stream()));
            if (!asCut.equals(inOneRead)) {
                throw new AssertionError("the stream cut into " + input.reads().size() + " reads gave " + asCut
                        + " but in one read gave " + inOneRead);
            }
        });
    }

    private static List<LegacyRequest> decode(List<byte[]> reads) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new LegacyDecoder(null));
        List<LegacyRequest> requests = new ArrayList<>();
        for (byte[] read : reads) {
            channel.writeInbound(alloc.copyOf(read));
            drain(channel, requests);
        }
        channel.finish();
        drain(channel, requests);
        alloc.assertAllReleased();
        for (int i = 0; i < requests.size() - 1; i++) {
            if (requests.get(i) instanceof LegacyRequest.Malformed m) {
                throw new AssertionError("request " + i + " of " + requests.size() + " was " + m
                        + ", yet the decoder went on");
            }
        }
        return requests;
    }

    private static void drain(EmbeddedChannel channel, List<LegacyRequest> requests) {
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            if (!(o instanceof LegacyRequest r)) {
                throw new AssertionError("the decoder passed on a " + o.getClass().getName());
            }
            requests.add(r);
        }
    }
}
