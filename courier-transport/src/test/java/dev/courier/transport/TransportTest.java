package dev.courier.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {
    @Test
    void eventLoopsRunOnNamedDaemonFastThreadLocalThreads() throws Exception {
        EventLoopGroup group = Transport.best().newEventLoopGroup(1, "courier-test");
        try {
            Thread loop = group.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
            // Netty's fast paths (recycler, thread-local buffers and arrays) are taken on these threads only.
            assertThat(loop).isInstanceOf(FastThreadLocalThread.class);
            assertThat(loop.isDaemon()).isTrue();
            assertThat(loop.getName()).isEqualTo("courier-test-1");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
