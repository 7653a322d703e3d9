package dev.courier.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The handler alone under an {@link EmbeddedChannel}, fed decoded frames. */
class ClientHandlerTest {
    private static final Hello CLIENT = new Hello(0, FrameDescriptor.VERSION, 16 << 20, (16 << 20) - 18);

    private static EmbeddedChannel handshaken() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandler(CLIENT, 30_000));
        assertThat((Object) ch.readOutbound()).isEqualTo(CLIENT);
        ch.writeInbound(new Hello(0, FrameDescriptor.VERSION, 1 << 20, 8 << 20));
        return ch;
    }

    @Test
    void pingsAreAnsweredOnlyWhileTheChannelIsWritable() {
        EmbeddedChannel ch = handshaken();
        ch.writeInbound(new Ping(0, 1));
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 1));
        // The server stopped reading: what the client writes piles up unsent.
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(ch.isWritable()).isFalse();
        ch.writeInbound(new Ping(0, 2), new Ping(0, 3));
        assertThat((Object) ch.readOutbound()).as("no PONG queued while not writable").isNull();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.writeInbound(new Ping(0, 4));
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 4));
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void thePongsOfOneReadAreFlushedTogetherAtItsEnd() {
        EmbeddedChannel ch = handshaken();
        ch.pipeline().fireChannelRead(new Ping(0, 1));
        ch.pipeline().fireChannelRead(new Ping(0, 2));
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("written, not yet flushed").isNull();
        ch.pipeline().fireChannelReadComplete();
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 1));
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 2));
        ch.finishAndReleaseAll();
    }
}
