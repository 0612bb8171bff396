package dev.tether.scenarios;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a transport to let a test see the node's listener and count the frames handed to the node and the frames the
 * node handed to the transport (those it took).
 */
final class TappedTransport implements Transport {
    private final Transport inner;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private volatile Listener node;

    TappedTransport(Transport inner) {
        this.inner = inner;
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
    public void start(NodeId self, Listener listener) {
        node = listener;
        inner.start(self, new Listener() {
            @Override
            public void onPeerUp(NodeId peer) {
                listener.onPeerUp(peer);
            }

            @Override
            public void onPeerDown(NodeId peer) {
                listener.onPeerDown(peer);
            }

            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {
                listener.onFrame(from, frame);
                framesIn.incrementAndGet();
            }

            @Override
            public void onConnectionRejected(String remote, String reason) {
                listener.onConnectionRejected(remote, reason);
            }

            @Override
            public String admit(NodeId peer, dev.tether.spi.PeerProof proof) {
                return listener.admit(peer, proof);
            }
        });
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        boolean taken = inner.send(peer, frame);
        if (taken) framesOut.incrementAndGet();
        return taken;
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void connect(NodeId peer, java.util.List<String> addresses) {
        inner.connect(peer, addresses);
    }

    @Override
    public void disconnect(NodeId peer) {
        inner.disconnect(peer);
    }

    @Override
    public int maxFrameBytes() {
        return inner.maxFrameBytes();
    }

    @Override
    public void close() {
        inner.close();
    }
}
