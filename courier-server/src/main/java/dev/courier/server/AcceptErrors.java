package dev.courier.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a listening channel: reports failed accepts, once per pause, instead of letting each one
 * reach the end of the pipeline as a stack trace.
 *
 * <p>The back-off itself is Netty's: when {@code accept(2)} fails (typically EMFILE, "Too many open files", when the
 * process has used up its file descriptors) the bootstrap's acceptor, which sits before this handler, turns
 * auto-read off on the listening channel and back on a second later. So a process out of descriptors pauses
 * accepting, with pending connections waiting in the kernel's backlog, rather than spinning on a socket that is
 * always readable; it resumes once connections have closed. Confined to the listening channel's event loop.
 */
@Sharable
final class AcceptErrors extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptErrors.class);
    static final AcceptErrors INSTANCE = new AcceptErrors();
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private long lastReportNanos = System.nanoTime() - REPORT_EVERY_NANOS;
    private long suppressed;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long now = System.nanoTime();
        if (now - lastReportNanos < REPORT_EVERY_NANOS) {
            suppressed++;
            return;
        }
        lastReportNanos = now;
        log.warn("accepting on {} failed ({}); pausing accepts for a second{}", ctx.channel().localAddress(),
                cause.getMessage(), suppressed == 0 ? "" : " (" + suppressed + " more failures since the last report)");
        suppressed = 0;
    }
}
