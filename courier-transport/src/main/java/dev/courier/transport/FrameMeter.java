package dev.courier.transport;

/**
 * Told of every whole frame a {@link FrameDecoder} cuts from the stream, before it is read: how a server counts the
 * bytes it receives by what they carry without decoding anything twice. Called on the channel's event loop, once per
 * frame, so an implementation must be cheap and must not block.
 */
@FunctionalInterface
public interface FrameMeter {
    /**
     * @param typeCode   the frame's type byte, as sent (it may be a type this side does not know)
     * @param frameBytes the whole frame, its length field included
     */
    void frame(int typeCode, int frameBytes);
}
