package dev.courier.cli.common;

import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * An encoder that starts the one it wraps when the first event is written rather than when logging is configured.
 * Starting {@link LogSetup}'s text encoder starts its date converter, which asks for the system's time zone; the
 * first use of a time zone makes {@code java.time} ask {@code ServiceLoader} for zone rule providers, which opens
 * and reads every jar of the class path (41 jars in {@code lib/}): about a tenth of a second of CPU of every
 * command's start, most of them commands that never log a line (docs/benchmarks.md, "Start-up, fifth pass").
 * Thread-safe: the wrapped encoder is started once, by the first thread to write.
 *
 * @param <E> the event type
 */
final class StartOnFirstEvent<E> extends EncoderBase<E> {
    private final Encoder<E> encoder;
    private volatile boolean begun;

    StartOnFirstEvent(Encoder<E> encoder) {
        this.encoder = encoder;
    }

    /** The wrapped encoder's header, asked before it is started: none for LogSetup's encoders (no file header). */
    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(E event) {
        if (!begun) {
            begin();
        }
        return encoder.encode(event);
    }

    private synchronized void begin() {
        if (!begun) {
            encoder.start();
            begun = true;
        }
    }

    @Override
    public byte[] footerBytes() {
        return begun ? encoder.footerBytes() : null;
    }

    @Override
    public void stop() {
        encoder.stop();
        super.stop();
    }
}
