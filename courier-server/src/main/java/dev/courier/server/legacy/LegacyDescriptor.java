package dev.courier.server.legacy;

/**
 * The layouts of the legacy wire protocol, the one the old x86-64 server spoke. Every field is
 * <b>little-endian</b>; there is no length prefix, so a request's size follows from its type alone (and, for
 * FILE, from the NUL that ends the name). Padding bytes may hold anything and are ignored.
 *
 * <pre>
 *  Every request starts with its type:
 *   0               4
 *  +---------------+
 *  |  type (i32)   |   0 UNKNOWN, 1 DATA, 2 FILE, 3 QUIT; anything else is answered like UNKNOWN
 *  +---------------+
 *
 *  DATA, 24 bytes:
 *   0               4               8                               16              20              24
 *  +---------------+---------------+-------------------------------+---------------+---------------+
 *  | type = 1      | person (i32)  |       time (f64, seconds)     |   ecg (i32)   |   padding     |
 *  +---------------+---------------+-------------------------------+---------------+---------------+
 *  reply: the sample value, 8 bytes (f64)
 *
 *  FILE, 25 + name bytes:
 *   0               4               8                               16              20              24
 *  +---------------+---------------+-------------------------------+---------------+---------------+
 *  | type = 2      |   padding     |       offset (i64, bytes)     | length (i32)  |   padding     |
 *  +---------------+---------------+-------------------------------+---------------+---------------+
 *  |  name (1 to 4096 bytes, UTF-8) ...                                                    |  0x00 |
 *  +---------------------------------------------------------------------------------------+-------+
 *  reply: offset 0 and length 0: the file size, 8 bytes (i64); otherwise exactly {@code length} bytes of the
 *  file from {@code offset}
 *
 *  QUIT, 4 bytes: no reply; the server closes the connection.
 *  Any other type, 4 bytes: a 1-byte reply, 0x00.
 * </pre>
 *
 * The DATA example from the old protocol's documentation, person 3 at 0.008 s on the first channel, is
 * {@code 01000000 03000000 fca9f1d24d62803f 01000000 00000000}; its reply is the double -0.295.
 */
final class LegacyDescriptor {
    /** Offset of the i32 message type, the first field of every request. */
    static final int TYPE_OFFSET = 0;
    /** Size of the type field, and so of the smallest request. */
    static final int TYPE_BYTES = 4;

    /** Type 0: a request the client does not know either; answered with {@link #UNKNOWN_REPLY}. */
    static final int TYPE_UNKNOWN = 0;
    /** Type 1: one sample of one channel of one recording. */
    static final int TYPE_DATA = 1;
    /** Type 2: a file's size, or a chunk of it. */
    static final int TYPE_FILE = 2;
    /** Type 3: the client is done; the server closes the connection. */
    static final int TYPE_QUIT = 3;

    /** DATA: offset of the i32 person, the record id (1 to 15 in the bundled data set). */
    static final int DATA_PERSON_OFFSET = 4;
    /** DATA: offset of the f64 time in seconds. */
    static final int DATA_TIME_OFFSET = 8;
    /** DATA: offset of the i32 ECG channel, numbered from 1. */
    static final int DATA_ECG_OFFSET = 16;
    /** DATA: the whole request, four bytes of padding included. */
    static final int DATA_REQUEST_BYTES = 24;

    /** FILE: offset of the i64 offset into the file, in bytes. */
    static final int FILE_OFFSET_OFFSET = 8;
    /** FILE: offset of the i32 length of the chunk, in bytes. */
    static final int FILE_LENGTH_OFFSET = 16;
    /** FILE: offset of the first byte of the NUL-terminated name. */
    static final int FILE_NAME_OFFSET = 24;
    /** FILE: the longest name accepted, NUL not counted. A longer one closes the connection. */
    static final int MAX_NAME_BYTES = 4096;

    /** QUIT: the whole request. */
    static final int QUIT_REQUEST_BYTES = TYPE_BYTES;
    /** UNKNOWN and unrecognised types: the whole request. */
    static final int UNKNOWN_REQUEST_BYTES = TYPE_BYTES;

    /** Reply to DATA: the f64 value. */
    static final int VALUE_REPLY_BYTES = 8;
    /** Reply to FILE with offset 0 and length 0: the i64 size in bytes. */
    static final int SIZE_REPLY_BYTES = 8;
    /** The one byte that answers a request of unknown type. */
    static final int UNKNOWN_REPLY = 0x00;

    private LegacyDescriptor() {
    }
}
