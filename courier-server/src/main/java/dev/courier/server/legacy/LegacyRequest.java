package dev.courier.server.legacy;

import dev.courier.protocol.WireText;
import java.util.Objects;

/**
 * One request of the legacy protocol, as {@link LegacyDecoder} cut it from the byte stream. Immutable. The layouts
 * are drawn in {@link LegacyDescriptor}.
 */
sealed interface LegacyRequest {

    /**
     * DATA: the value of one sample.
     *
     * @param person      the record, whose id is this number in decimal ({@code 3} is record {@code "3"})
     * @param timeSeconds the time of the sample; the nearest one is answered
     * @param ecg         the channel, numbered from 1
     */
    record Data(int person, double timeSeconds, int ecg) implements LegacyRequest {
    }

    /**
     * FILE: the size of a file (offset and length both 0) or exactly {@code lengthBytes} of it from
     * {@code offsetBytes}. Both come from the wire unchecked and may be negative.
     *
     * @param name the name, relative to the served directory, without its terminating NUL
     */
    record File(long offsetBytes, int lengthBytes, String name) implements LegacyRequest {
        public File {
            Objects.requireNonNull(name, "name");
        }

        /** What a log line keeps of the name, in chars: it may be 4096 bytes of anything. */
        static final int LOGGED_NAME_CHARS = 120;

        /** True for the size query: offset 0 and length 0. */
        public boolean isSizeQuery() {
            return offsetBytes == 0 && lengthBytes == 0;
        }

        /** For logs: the name escaped and cut short, since the client chose every byte of it. */
        @Override
        public String toString() {
            return "File[offsetBytes=" + offsetBytes + ", lengthBytes=" + lengthBytes + ", name="
                    + WireText.printable(name, LOGGED_NAME_CHARS) + "]";
        }
    }

    /** QUIT: no reply; the connection is closed. */
    record Quit() implements LegacyRequest {
    }

    /** A type this server does not serve, {@code 0} included: answered with one zero byte. */
    record Unknown(int type) implements LegacyRequest {
    }

    /**
     * Bytes that are not a request, such as a name with no NUL within {@link LegacyDescriptor#MAX_NAME_BYTES}.
     * It takes its place in the stream so that every request before it is still answered; then the connection is
     * closed, as the protocol has no way to report an error. Nothing after it is decoded.
     *
     * @param reason what was wrong, for the log
     */
    record Malformed(String reason) implements LegacyRequest {
    }
}
