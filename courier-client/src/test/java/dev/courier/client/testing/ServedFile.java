package dev.courier.client.testing;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * One version of a file as a correct server serves it: its DIGEST_RESULT, STAT_RESULT and CHUNKs, computed here
 * from its bytes with the JDK, so that a script can answer truthfully and lie only where a test wants it to.
 *
 * @param content        the file's bytes
 * @param modifiedMillis its modification time
 */
public record ServedFile(byte[] content, long modifiedMillis) {
    /** {@code sizeBytes} bytes drawn from {@code new Random(seed)}. */
    public static ServedFile random(int sizeBytes, long seed) {
        byte[] b = new byte[sizeBytes];
        new Random(seed).nextBytes(b);
        return new ServedFile(b, 1_700_000_000_000L);
    }

    public Sha256 sha256() {
        try {
            return new Sha256(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public DigestReply digest(int requestId) {
        return new DigestReply(requestId, content.length, modifiedMillis, sha256());
    }

    /** The CHUNK a correct server sends for {@code r}, or its OFFSET_PAST_END. */
    public Message read(ReadRequest r) {
        if (r.offsetBytes() >= content.length) {
            return new ErrorReply(r.requestId(), ErrorCode.OFFSET_PAST_END, "offset past the end");
        }
        int from = (int) r.offsetBytes();
        int n = Math.min(r.lengthBytes(), content.length - from);
        CRC32C crc = new CRC32C();
        crc.update(content, from, n);
        return new ChunkReply(r.requestId(), from, from + n == content.length, true, (int) crc.getValue(),
                Unpooled.wrappedBuffer(content, from, n));
    }

    /** The truthful answer to a DIGEST, STAT or READ of this file; null for any other request. */
    public Message answer(Message request) {
        return switch (request) {
            case DigestRequest d -> digest(d.requestId());
            case StatRequest s -> new StatReply(s.requestId(), content.length, modifiedMillis);
            case ReadRequest r -> read(r);
            default -> null;
        };
    }
}
