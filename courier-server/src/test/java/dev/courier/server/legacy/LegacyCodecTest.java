package dev.courier.server.legacy;

import static dev.courier.server.legacy.LegacyClient.concat;
import static dev.courier.server.legacy.LegacyClient.data;
import static dev.courier.server.legacy.LegacyClient.file;
import static dev.courier.server.legacy.LegacyClient.hex;
import static dev.courier.server.legacy.LegacyClient.quit;
import static dev.courier.server.legacy.LegacyClient.type;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.files.FileRoot;
import dev.courier.server.files.OpenFile;
import dev.courier.server.files.OpenFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The legacy decoder and encoder on hand-written bytes, whole, split and glued together. */
class LegacyCodecTest {
    private static final byte[] EXAMPLE = hex("01000000 03000000 fca9f1d24d62803f 01000000 00000000");

    @Test
    void shouldDecodeTheDataExampleOfTheOldProtocol() {
        assertThat(decode(EXAMPLE)).containsExactly(new LegacyRequest.Data(3, 0.008, 1));
    }

    @Test
    void shouldDecodeAFileRequestAndIgnoreItsPadding() {
        assertThat(decode(hex("02000000 ffffffff 0010000000000000 00020000 ffffffff 612f622e62696e 00")))
                .containsExactly(new LegacyRequest.File(4096, 512, "a/b.bin"));
    }

    @Test
    void shouldHandleManyMessagesInOneBatch() {
        byte[] all = concat(EXAMPLE, file(0, 0, "x.csv"), type(7), data(15, 59.996, 2), type(0), quit());

        assertThat(decode(all)).containsExactly(new LegacyRequest.Data(3, 0.008, 1),
                new LegacyRequest.File(0, 0, "x.csv"), new LegacyRequest.Unknown(7),
                new LegacyRequest.Data(15, 59.996, 2), new LegacyRequest.Unknown(0), new LegacyRequest.Quit());
    }

    @Test
    void shouldDecodeTheSameRequestsFromSingleBytes() {
        byte[] all = concat(file(1L << 40, 65536, "sub/ä.bin"), EXAMPLE, type(-5), quit());
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyDecoder(null));
        List<Object> got = new ArrayList<>();
        for (byte b : all) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            drain(ch, got);
        }

        assertThat(got).containsExactly(new LegacyRequest.File(1L << 40, 65536, "sub/ä.bin"),
                new LegacyRequest.Data(3, 0.008, 1), new LegacyRequest.Unknown(-5), new LegacyRequest.Quit());
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldWaitForTheRestOfARequest() {
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyDecoder(null));

        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(EXAMPLE, 23)));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(concat(Arrays.copyOfRange(EXAMPLE, 23, 24), type(3))));
        assertThat((Object) ch.readInbound()).isEqualTo(new LegacyRequest.Data(3, 0.008, 1));
        assertThat((Object) ch.readInbound()).isEqualTo(new LegacyRequest.Quit());
    }

    @Test
    void shouldAcceptANameOfTheMaximumLength() {
        String name = "n".repeat(LegacyDescriptor.MAX_NAME_BYTES);

        assertThat(decode(file(0, 1, name))).containsExactly(new LegacyRequest.File(0, 1, name));
    }

    @Test
    void shouldRejectANameWithNoNulWithinTheMaximumAndDiscardTheRest() {
        byte[] header = Arrays.copyOf(file(0, 1, "x"), LegacyDescriptor.FILE_NAME_OFFSET);
        byte[] name = new byte[LegacyDescriptor.MAX_NAME_BYTES + 1];
        Arrays.fill(name, (byte) 'n');
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyDecoder(null));

        ch.writeInbound(Unpooled.wrappedBuffer(concat(EXAMPLE, header, name)));
        ch.writeInbound(Unpooled.wrappedBuffer(concat(EXAMPLE, new byte[] {0})));

        assertThat((Object) ch.readInbound()).isEqualTo(new LegacyRequest.Data(3, 0.008, 1));
        assertThat((Object) ch.readInbound()).isInstanceOf(LegacyRequest.Malformed.class);
        assertThat((Object) ch.readInbound()).as("nothing after the bad bytes is decoded").isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldReportInputThatEndsInsideARequest() {
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyDecoder(null));
        ch.writeInbound(Unpooled.wrappedBuffer(concat(EXAMPLE, Arrays.copyOf(EXAMPLE, 10))));

        assertThat((Object) ch.readInbound()).isEqualTo(new LegacyRequest.Data(3, 0.008, 1));
        ch.finish();
        assertThat((Object) ch.readInbound()).isEqualTo(
                new LegacyRequest.Malformed("the input ended inside a request (10 bytes of it)"));
    }

    @Test
    void shouldEncodeNumbersLittleEndian() {
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyEncoder(null));

        ch.writeOutbound(new LegacyReply.Value(-0.295), new LegacyReply.Size(290_108),
                new LegacyReply.UnknownType());

        assertThat(hexOf(ch.readOutbound())).isEqualTo("e17a14ae47e1d2bf");
        assertThat(hexOf(ch.readOutbound())).isEqualTo("3c6d040000000000");
        assertThat(hexOf(ch.readOutbound())).isEqualTo("00");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldEncodeAChunkAsAFileRegionThatReleasesTheFile(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("f.bin"), new byte[100]);
        // Nothing kept open once unused, so the region's release is the one that closes the file.
        OpenFile file = new OpenFiles(new FileRoot(dir), 0).acquire("f.bin");
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyEncoder(null));

        ch.writeOutbound(new LegacyReply.Chunk(file, 10, 20));

        FileRegion region = ch.readOutbound();
        assertThat(region.position()).isEqualTo(10);
        assertThat(region.count()).isEqualTo(20);
        assertThat(file.channel().isOpen()).as("open while the region is on its way").isTrue();
        assertThat(region.release()).isTrue();
        assertThat(file.channel().isOpen()).isFalse();
    }

    private static List<Object> decode(byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new LegacyDecoder(null));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        List<Object> got = new ArrayList<>();
        drain(ch, got);
        assertThat(ch.finish()).as("nothing left over").isFalse();
        return got;
    }

    private static void drain(EmbeddedChannel ch, List<Object> into) {
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            into.add(o);
        }
    }

    private static String hexOf(ByteBuf buf) {
        try {
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }
}
