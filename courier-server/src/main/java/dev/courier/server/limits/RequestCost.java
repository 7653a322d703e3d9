package dev.courier.server.limits;

import dev.courier.protocol.AppendRequest;
import dev.courier.protocol.CancelStream;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Request;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.WindowUpdate;

/**
 * What a request costs against its client's rate limit, in tokens: one per request, and for a POINT_BATCH one per
 * {@link #POINTS_PER_TOKEN} points (rounded up) and for an ENVELOPE one per 64 Ki samples of its range, since the server looks each point up as it would a POINT: a batch of
 * 100,000 cannot pass for one. Bytes are not counted: file data is bounded by TCP's flow control, the stream windows
 * and the cap on requests in flight, and counting them would throttle a fast upload or download, which is what the
 * server is for. Keepalive frames and the frames that steer a stream already paid for (WINDOW, CANCEL) cost nothing:
 * refusing them would only break what was admitted. Stateless.
 */
public final class RequestCost {
    /** A POINT_BATCH of up to this many points costs one token: one frame of them is about one 64 KiB read. */
    public static final int POINTS_PER_TOKEN = 64;

    private RequestCost() {
    }

    /** Tokens {@code request} takes. */
    public static int of(Request request) {
        return switch (request) {
            case PointRequest _, ListRequest _, StatRequest _, ReadRequest _, DigestRequest _, StreamRequest _,
                 UploadBegin _, UploadWrite _, UploadCommit _, RecordsRequest _, RangeRequest _,
                 SubscribeRequest _ -> 1;
            // An APPEND's rows are checked and written one by one: a token per 64 of them, as a batch's points.
            case AppendRequest a -> 1 + Math.max(0, a.rows() - 1) / POINTS_PER_TOKEN;
            // An envelope reads its range's columns on the server: one token per 64 Ki samples of range (a whole
            // bundled record costs 1), so that summing a long range a thousand times a second is not free.
            case EnvelopeRequest e -> 1 + (int) Math.min(Integer.MAX_VALUE - 1,
                    Math.max(0, e.toSample() - e.fromSample() - 1) >>> 16);
            case PointBatchRequest b -> 1 + Math.max(0, b.timesSeconds().length - 1) / POINTS_PER_TOKEN;
            case Hello _, Ping _, Pong _, ErrorReply _, WindowUpdate _, CancelStream _ -> 0;
        };
    }
}
