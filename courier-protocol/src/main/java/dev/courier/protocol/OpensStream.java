package dev.courier.protocol;

/**
 * A request whose answer is a stream of CHUNK frames under the credit of WINDOW and ended by END or ERROR (see
 * docs/protocol.md, READ_STREAM): a file's bytes ({@link StreamRequest}) or a record's samples laid out as bytes
 * ({@link RangeRequest}), or a live record's rows as they are appended ({@link SubscribeRequest}). Both sides run one flow-control mechanism over them: the stream carries bytes
 * {@code [offsetBytes, offsetBytes + lengthBytes)} of a whole of {@code sizeBytes} in chunks of {@code chunkBytes}.
 */
public sealed interface OpensStream extends Request permits StreamRequest, RangeRequest, SubscribeRequest {
    long offsetBytes();

    long lengthBytes();

    int windowBytes();

    int chunkBytes();

    /** The size of the whole the range is taken from: the chunk that reaches it carries LAST. */
    long sizeBytes();

    /**
     * Whether chunks other than the final one may be shorter than {@code chunkBytes}: a live subscription sends the
     * rows it has; a file or a range fills every chunk but the last.
     */
    default boolean shortChunks() {
        return false;
    }

    /**
     * Values per row when the stream's chunks may come scaled (flag SCALED: a u8 of digits per value of a row, then
     * i16 values, each standing for an 8-byte f64 of the stream); 0 when no chunk may (a file, a live subscription,
     * a range that did not ask).
     */
    default int scaledRowValues() {
        return 0;
    }
}
