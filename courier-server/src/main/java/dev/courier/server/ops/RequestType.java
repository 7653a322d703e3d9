package dev.courier.server.ops;

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
import java.util.Locale;

/**
 * The {@code type} label of {@code courier_requests_total} and {@code courier_request_duration_seconds}: one per
 * request message type, named from this enum and never from anything a client sends, so the number of series is
 * fixed. {@link #of} is an exhaustive switch: a new request type fails to compile here until it has its label.
 */
public enum RequestType {
    HELLO, PING, PONG, ERROR, POINT, POINT_BATCH, LIST, STAT, READ, DIGEST, READ_STREAM, RANGE_STREAM, WINDOW, CANCEL,
    UPLOAD_BEGIN, UPLOAD_WRITE, UPLOAD_COMMIT, RECORDS, ENVELOPE, APPEND, SUBSCRIBE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The label value: the name in lower case ({@code point_batch}). */
    public String label() {
        return label;
    }

    public static RequestType of(Request r) {
        return switch (r) {
            case Hello h -> HELLO;
            case Ping p -> PING;
            case Pong p -> PONG;
            case ErrorReply e -> ERROR;
            case PointRequest p -> POINT;
            case PointBatchRequest p -> POINT_BATCH;
            case ListRequest l -> LIST;
            case StatRequest s -> STAT;
            case ReadRequest x -> READ;
            case DigestRequest d -> DIGEST;
            case StreamRequest s -> READ_STREAM;
            case RangeRequest x -> RANGE_STREAM;
            case WindowUpdate w -> WINDOW;
            case CancelStream c -> CANCEL;
            case UploadBegin u -> UPLOAD_BEGIN;
            case UploadWrite u -> UPLOAD_WRITE;
            case UploadCommit u -> UPLOAD_COMMIT;
            case RecordsRequest x -> RECORDS;
            case EnvelopeRequest x -> ENVELOPE;
            case AppendRequest a -> APPEND;
            case SubscribeRequest x -> SUBSCRIBE;
        };
    }
}
