package dev.courier.protocol;

import java.util.Objects;

/**
 * A typed error: the code says what went wrong, the message says it to a person. ERROR travels both ways, so this is
 * a {@link Request} as well as a {@link Reply}: a server answers a request with one (carrying its id) or reports a
 * fault of the whole connection (id 0); a client may send one too, which Courier's server logs and answers nothing.
 *
 * <p>The message is cut to at most {@link #MAX_MESSAGE_BYTES} bytes of UTF-8 here, in the constructor, at a character
 * boundary and marked with {@code ...}: every ERROR can then be encoded (a message that quotes a 65,000-byte name
 * would overflow its {@code str16} length, and the request would get no reply at all), and one decoded from a peer
 * holds no more than that, whatever the peer sent. The record holds exactly what travels on the wire.
 *
 * <p>An ERROR whose code is {@link ErrorCode#RATE_LIMITED} carries one more field, {@code retryAfterMillis}: how long
 * the client should wait before it sends again (the time until the server's token bucket holds a token). Every other
 * code carries none, and its {@code retryAfterMillis} is 0.
 *
 * @param retryAfterMillis for RATE_LIMITED, milliseconds to wait, 0 to {@link #MAX_RETRY_AFTER_MILLIS} (a u32);
 *                         0 for every other code
 */
public record ErrorReply(int requestId, ErrorCode code, String message, long retryAfterMillis)
        implements Request, Reply {
    /** The longest message, in bytes of UTF-8: room for a sentence that quotes a long path, far below str16's 65535. */
    public static final int MAX_MESSAGE_BYTES = 4096;
    /** The largest retry-after a u32 holds, in milliseconds (about 49 days). */
    public static final long MAX_RETRY_AFTER_MILLIS = 0xFFFF_FFFFL;
    private static final String CUT = "...";

    public ErrorReply {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (retryAfterMillis < 0 || retryAfterMillis > MAX_RETRY_AFTER_MILLIS
                || (retryAfterMillis != 0 && code != ErrorCode.RATE_LIMITED)) {
            throw new IllegalArgumentException("retryAfterMillis must be 0 to " + MAX_RETRY_AFTER_MILLIS
                    + ", and 0 unless the code is RATE_LIMITED: " + code + " " + retryAfterMillis);
        }
        message = bounded(message);
    }

    /** An ERROR without a retry-after: every code but RATE_LIMITED (for which the wait is then 0). */
    public ErrorReply(int requestId, ErrorCode code, String message) {
        this(requestId, code, message, 0);
    }

    /** True when this ERROR carries the {@code retryAfterMillis} field on the wire. */
    public boolean hasRetryAfter() {
        return code == ErrorCode.RATE_LIMITED;
    }

    /** {@code s}, or its longest prefix that fits with the mark in {@link #MAX_MESSAGE_BYTES}, never halving a pair. */
    private static String bounded(String s) {
        if (s.length() <= MAX_MESSAGE_BYTES / 3) {
            return s; // three bytes per char at most: it fits, no need to count
        }
        int budget = MAX_MESSAGE_BYTES - CUT.length();
        int bytes = 0;
        int cut = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int n;
            int chars = 1;
            if (c < 0x80) {
                n = 1;
            } else if (c < 0x800) {
                n = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n = 4;
                chars = 2;
            } else {
                n = 3; // the rest of the BMP; an unpaired surrogate is written as one byte, so 3 is an upper bound
            }
            if (cut < 0 && bytes + n > budget) {
                cut = i;
            }
            bytes += n;
            if (bytes > MAX_MESSAGE_BYTES) {
                return s.substring(0, cut) + CUT;
            }
            i += chars - 1;
        }
        return s;
    }
}
