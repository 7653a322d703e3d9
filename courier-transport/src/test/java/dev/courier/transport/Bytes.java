package dev.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Hand-written frames for the handler tests: hex digits, spaces between fields for the reader. */
final class Bytes {
    // The frames below follow the layouts in docs/protocol.md.
    /** docs/protocol.md's client HELLO with the token "ct_example". */
    static final String HELLO_WITH_TOKEN =
            "00000020 01 00 00000000 434f5552 0001 01000016 01000004 000a 63745f6578616d706c65";
    /** docs/protocol.md's RATE_LIMITED ERROR: "rate limited", retryAfterMillis 250. */
    static final String ERROR_RATE_LIMITED = "0000001a 04 00 00000001 0049 000c 72617465206c696d69746564 000000fa";
    /** PING, request id 8, token 0x0102030405060708. */
    static final String PING = "0000000e 02 00 00000008 0102030405060708";
    /** POINT, request id 1: record "3", time 0.008 s, channel 1. */
    static final String POINT = "00000012 10 00 00000001 0001 3f80624dd2f1a9fc 01 33";
    /** STAT, request id 6, name "b.txt". */
    static final String STAT = "0000000d 22 00 00000006 0005 622e747874";
    /** CHUNK, request id 7, last, offset 1020, data "done". */
    static final String CHUNK = "00000016 25 01 00000007 00000000000003fc 00000000 646f6e65";
    /** POINT_VALUE, request id 1: -0.295 at sample 2, 0.008 s. */
    static final String POINT_VALUE = "0000001a 11 00 00000001 bfd2e147ae147ae1 00000002 3f80624dd2f1a9fc";
    /** UPLOAD_WRITE, request id 11, upload 0x0123456789abcdef, data "done" at offset 3 with its CRC32C. */
    static final String UPLOAD_WRITE = "0000001e 32 00 0000000b 0123456789abcdef 0000000000000003 053620cb 646f6e65";

    private Bytes() {
    }

    /** A new unpooled buffer holding {@code hex}; whoever it is written to releases it. */
    static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    /** The readable bytes of {@code buf} as lower-case hex. */
    static String hexOf(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    static String compact(String hex) {
        return hex.replace(" ", "");
    }
}
