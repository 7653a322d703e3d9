package dev.courier.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Hex strings as written in docs/protocol.md: pairs of digits, spaces between fields for the reader. */
final class Hex {
    private Hex() {
    }

    /** The bytes of {@code hex}, spaces ignored, in a new buffer the caller releases. */
    static ByteBuf buffer(String hex) {
        return Unpooled.wrappedBuffer(bytes(hex));
    }

    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }

    /** The readable bytes of {@code buf} as lower-case hex without spaces; does not move the reader index. */
    static String of(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    /** {@code hex} without its spaces, for comparing with {@link #of}. */
    static String compact(String hex) {
        return hex.replace(" ", "");
    }
}
