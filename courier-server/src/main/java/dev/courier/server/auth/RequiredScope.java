package dev.courier.server.auth;

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
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.Request;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.WindowUpdate;

/**
 * The one place that says which scope each request needs: an exhaustive switch over {@link Request}, so a new
 * request type does not compile until it is given one. Stateless.
 */
public final class RequiredScope {
    private RequiredScope() {
    }

    /** The scope {@code request} needs, or {@code null} for the frames that need none (HELLO, PING, PONG, ERROR, WINDOW, CANCEL). */
    public static Scope of(Request request) {
        return switch (request) {
            case PointRequest _, PointBatchRequest _, RecordsRequest _, RangeRequest _, EnvelopeRequest _,
                 SubscribeRequest _ ->
                    Scope.POINTS;
            case ListRequest _, StatRequest _, ReadRequest _, DigestRequest _, StreamRequest _ -> Scope.FILES_READ;
            case UploadBegin _, UploadWrite _, UploadCommit _ -> Scope.FILES_WRITE;
            case AppendRequest _ -> Scope.LIVE_WRITE;
            // WINDOW and CANCEL act only on a stream of this connection, whose scope (files:read for a file,
            // points for a range) was checked when it was opened; on no stream they do nothing.
            case WindowUpdate _, CancelStream _ -> null;
            case Hello _, Ping _, Pong _, ErrorReply _ -> null;
        };
    }
}
