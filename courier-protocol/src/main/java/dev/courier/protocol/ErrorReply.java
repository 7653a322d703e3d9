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
 */
public record ErrorReply(int requestId, ErrorCode code, String message) implements Request, Reply {
    /** The longest message, in bytes of UTF-8: room for a sentence that quotes a long path, far below str16's 65535. */
    public static final int MAX_MESSAGE_BYTES = 4096;
    private static final String CUT = "...";

    public ErrorReply {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        message = bounded(message);
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
