package dev.courier.protocol;

/**
 * What a client sends a server: the requests, and the four frames that travel both ways (HELLO first, PING, PONG
 * and ERROR). A server reads only these ({@link MessageReader#readRequest}): a reply type sent to it is refused as
 * {@link ErrorCode#UNKNOWN_TYPE}, so the server's switch over its requests has no case it cannot answer.
 *
 * <p>ERROR is here as well as among the replies because docs/protocol.md lets either side send it; Courier's server
 * logs one that a client sends and answers nothing.
 */
public sealed interface Request extends Message
        permits Hello, Ping, Pong, ErrorReply, PointRequest, PointBatchRequest, ListRequest, StatRequest, ReadRequest,
        DigestRequest, OpensStream, WindowUpdate, CancelStream, UploadBegin, UploadWrite, UploadCommit, RecordsRequest,
        EnvelopeRequest, AppendRequest {
}
