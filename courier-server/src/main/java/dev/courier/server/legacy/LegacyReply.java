package dev.courier.server.legacy;

import java.nio.channels.FileChannel;
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
     * Answers a FILE chunk: {@code lengthBytes} of {@code file} from {@code offsetBytes}, sent zero-copy. Owns the
     * open file: the encoder hands it to a file region, which closes it once sent or dropped.
     */
    record Chunk(FileChannel file, long offsetBytes, int lengthBytes) implements LegacyReply {
        public Chunk {
            Objects.requireNonNull(file, "file");
        }
    }

    /** Answers a request of unknown type: one zero byte. */
    record UnknownType() implements LegacyReply {
    }
}
