package dev.tether.scenarios;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.ForwardingTransport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a transport to let a test see the node's listener and count the frames handed to the node and the frames the
 * node handed to the transport (those it took).
 */
final class TappedTransport extends ForwardingTransport {
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private volatile Listener node;

    TappedTransport(Transport inner) {
        super(inner);
    }

    /** The node's listener, once the node started the transport. */
    Listener node() {
        return node;
    }

    /** Frames the transport has handed to the node so far. */
    long framesIn() {
        return framesIn.get();
    }

    /** Frames the node sent that the transport took (returned true for) so far. */
    long framesOut() {
        return framesOut.get();
    }

    @Override
    protected Listener listener(Listener listener) {
        node = listener;
        return new ForwardingListener(listener) {
            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {
                delegate().onFrame(from, frame);
                framesIn.incrementAndGet();
            }

            @Override
            public void onFrames(NodeId from, List<ByteBuffer> frames) {
                int n = frames.size(); // counted before the node, which owns the list now, may change it
                delegate().onFrames(from, frames);
                framesIn.addAndGet(n);
            }
        };
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        boolean taken = delegate().send(peer, frame);
        if (taken) framesOut.incrementAndGet();
        return taken;
    }
}
