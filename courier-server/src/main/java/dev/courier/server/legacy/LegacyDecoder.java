package dev.courier.server.legacy;

import static dev.courier.server.legacy.LegacyDescriptor.DATA_ECG_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.DATA_PERSON_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.DATA_REQUEST_BYTES;
import static dev.courier.server.legacy.LegacyDescriptor.DATA_TIME_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.FILE_LENGTH_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.FILE_NAME_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.FILE_OFFSET_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.MAX_NAME_BYTES;
import static dev.courier.server.legacy.LegacyDescriptor.QUIT_REQUEST_BYTES;
import static dev.courier.server.legacy.LegacyDescriptor.TYPE_BYTES;
import static dev.courier.server.legacy.LegacyDescriptor.TYPE_DATA;
import static dev.courier.server.legacy.LegacyDescriptor.TYPE_FILE;
import static dev.courier.server.legacy.LegacyDescriptor.TYPE_OFFSET;
import static dev.courier.server.legacy.LegacyDescriptor.TYPE_QUIT;
import static dev.courier.server.legacy.LegacyDescriptor.UNKNOWN_REQUEST_BYTES;

import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the legacy byte stream into {@link LegacyRequest}s by the layouts of {@link LegacyDescriptor}: the type
 * says how many bytes follow, so any number of requests in one read, or one request over many reads, come out
 * one record each, in order.
 *
 * <p>A FILE name must end with a NUL within {@link LegacyDescriptor#MAX_NAME_BYTES}; the decoder never buffers
 * more than that while it looks for one. Bytes that cannot be a request become a {@link LegacyRequest.Malformed}
 * in their place in the stream, and everything after them is discarded, since there is no length to resynchronise
 * on. The same happens when the input ends inside a request. One instance per channel.
 *
 * <p>With metrics on, each DATA request counts as {@code samples} bytes received as it is cut from the stream,
 * whether or not it can be answered; every other byte read stays {@code control}.
 */
final class LegacyDecoder extends ByteToMessageDecoder {
    /** Null without metrics. */
    private final ServerMetrics metrics;
    private boolean broken;

    /** @param metrics where DATA requests are counted, or null without metrics */
    LegacyDecoder(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= TYPE_BYTES) {
            LegacyRequest request = decodeOne(in);
            if (request == null) {
                return;
            }
            out.add(request);
            if (request instanceof LegacyRequest.Malformed) {
                broken = true;
                in.skipBytes(in.readableBytes());
                return;
            }
        }
    }

    /** One request from the start of {@code in}, consuming it; {@code null}, consuming nothing, if incomplete. */
    private LegacyRequest decodeOne(ByteBuf in) {
        int start = in.readerIndex();
        int type = in.getIntLE(start + TYPE_OFFSET);
        switch (type) {
            case TYPE_DATA -> {
                if (in.readableBytes() < DATA_REQUEST_BYTES) {
                    return null;
                }
                LegacyRequest.Data data = new LegacyRequest.Data(in.getIntLE(start + DATA_PERSON_OFFSET),
                        in.getDoubleLE(start + DATA_TIME_OFFSET), in.getIntLE(start + DATA_ECG_OFFSET));
                in.skipBytes(DATA_REQUEST_BYTES);
                if (metrics != null) {
                    metrics.samplesReceived(Port.LEGACY, DATA_REQUEST_BYTES);
                }
                return data;
            }
            case TYPE_FILE -> {
                return decodeFile(in, start);
            }
            case TYPE_QUIT -> {
                in.skipBytes(QUIT_REQUEST_BYTES);
                return new LegacyRequest.Quit();
            }
            default -> {
                in.skipBytes(UNKNOWN_REQUEST_BYTES);
                return new LegacyRequest.Unknown(type);
            }
        }
    }

    private static LegacyRequest decodeFile(ByteBuf in, int start) {
        int nameBytesIn = in.readableBytes() - FILE_NAME_OFFSET;
        if (nameBytesIn <= 0) {
            return null;
        }
        int searched = Math.min(nameBytesIn, MAX_NAME_BYTES + 1);
        int nul = in.indexOf(start + FILE_NAME_OFFSET, start + FILE_NAME_OFFSET + searched, (byte) 0);
        if (nul < 0) {
            if (nameBytesIn > MAX_NAME_BYTES) {
                return new LegacyRequest.Malformed("FILE name has no NUL within " + MAX_NAME_BYTES + " bytes");
            }
            return null;
        }
        int nameBytes = nul - (start + FILE_NAME_OFFSET);
        LegacyRequest.File file = new LegacyRequest.File(in.getLongLE(start + FILE_OFFSET_OFFSET),
                in.getIntLE(start + FILE_LENGTH_OFFSET),
                in.toString(start + FILE_NAME_OFFSET, nameBytes, StandardCharsets.UTF_8));
        in.skipBytes(FILE_NAME_OFFSET + nameBytes + 1);
        return file;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!broken && in.isReadable()) {
            int pending = in.readableBytes();
            out.add(new LegacyRequest.Malformed("the input ended inside a request (" + pending + " bytes of it)"));
            broken = true;
            in.skipBytes(pending);
        }
    }
}
