package dev.courier.server.legacy;

import dev.courier.server.files.OpenFile;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** One reply of the legacy protocol, turned into bytes by {@link LegacyEncoder}. */
sealed interface LegacyReply {

    /** Answers DATA: the sample's value, 8 bytes. */
    record Value(double value) implements LegacyReply {
    }

    /** Answers a FILE size query: the file's size, 8 bytes. */
    record Size(long sizeBytes) implements LegacyReply {
    }

    /**
     * Answers a FILE chunk: {@code lengthBytes} of {@code file} from {@code offsetBytes}, sent zero-copy. Holds one
     * reference to the shared open file: the encoder hands it to a file region, which releases it once sent or
     * dropped; a chunk that is never encoded must be {@link #release released}.
     */
    record Chunk(OpenFile file, long offsetBytes, int lengthBytes) implements LegacyReply {
        public Chunk {
            Objects.requireNonNull(file, "file");
        }

        /** Gives the file reference back, for a chunk that will not be sent. */
        void release() {
            file.release();
        }
    }

    /**
     * Answers a small FILE chunk with its bytes already read (on the event loop, from a file already open). Owns
     * {@code bytes}: the encoder passes them on, and a reply that is never encoded must be {@link #release released}.
     */
    record Bytes(ByteBuf bytes) implements LegacyReply {
        public Bytes {
            Objects.requireNonNull(bytes, "bytes");
        }

        /** Frees the bytes, for a reply that will not be sent. */
        void release() {
            bytes.release();
        }
    }

    /** Answers a request of unknown type: one zero byte. */
    record UnknownType() implements LegacyReply {
    }
}
