package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Simulated time for the dialer: a Netty {@link EmbeddedChannel}'s event loop whose clock stands still until the
 * test advances it in fixed steps, running whatever falls due at each step. One per scenario.
 */
final class FrozenLoop {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final long stepMillis;
    private long nowMillis;

    FrozenLoop(long stepMillis) {
        this.stepMillis = stepMillis;
        channel.freezeTime();
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Simulated milliseconds since this loop was made. */
    long nowMillis() {
        return nowMillis;
    }

    /** Moves time on by {@code millis}, one step at a time, running the tasks due at each step. */
    void advance(long millis) {
        for (long end = nowMillis + millis; nowMillis < end; nowMillis += stepMillis) {
            channel.advanceTimeBy(stepMillis, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }
    }

    /** A transport listener that ignores everything: these tests watch the dials, not the node. */
    static Transport.Listener silentListener() {
        return new Transport.Listener() {
            @Override
            public void onPeerUp(NodeId peer) {}

            @Override
            public void onPeerDown(NodeId peer) {}

            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {}
        };
    }
}
