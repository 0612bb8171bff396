package dev.tether.testkit;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A transport that hands every call to another one, for tests that wrap a transport to watch or change part of what
 * it does: a subclass overrides the methods it cares about and inherits the rest, so a method the SPI gains later is
 * forwarded here once instead of being left at its default in each wrapper. The node's listener is wrapped through
 * {@link #listener}, which returns it unchanged unless a subclass hands the delegate a {@link ForwardingListener} of
 * its own. Thread-safe as far as the delegate and the subclass are.
 */
public abstract class ForwardingTransport implements Transport {
    private final Transport delegate;

    /** A transport that hands every call to {@code delegate}. */
    protected ForwardingTransport(Transport delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped transport. */
    protected final Transport delegate() {
        return delegate;
    }

    /** Starts the delegate with {@link #listener}({@code listener}) in place of the node's listener. */
    @Override
    public void start(NodeId self, Listener listener) {
        delegate.start(self, listener(listener));
    }

    /**
     * The listener the delegate reports to, given the node's: the node's itself by default. A subclass that watches
     * or moves listener calls returns a {@link ForwardingListener} around {@code node}.
     */
    protected Listener listener(Listener node) {
        return node;
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        return delegate.send(peer, frame);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public ScheduledExecutorService nodeExecutor() {
        return delegate.nodeExecutor();
    }

    @Override
    public int maxFrameBytes() {
        return delegate.maxFrameBytes();
    }

    @Override
    public int maxInboundFrameBytes() {
        return delegate.maxInboundFrameBytes();
    }

    @Override
    public long fencedFrames() {
        return delegate.fencedFrames();
    }

    @Override
    public void connect(NodeId peer, List<String> addresses) {
        delegate.connect(peer, addresses);
    }

    @Override
    public void disconnect(NodeId peer) {
        delegate.disconnect(peer);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * A listener that hands every call to another one. {@link #onFrames} is forwarded as one call, not split into
     * {@link #onFrame} calls: a subclass that watches or moves frames overrides both.
     */
    public abstract static class ForwardingListener implements Listener {
        private final Listener delegate;

        /** A listener that hands every call to {@code delegate}. */
        protected ForwardingListener(Listener delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** The wrapped listener: the node's. */
        protected final Listener delegate() {
            return delegate;
        }

        @Override
        public void onPeerUp(NodeId peer) {
            delegate.onPeerUp(peer);
        }

        @Override
        public void onPeerDown(NodeId peer) {
            delegate.onPeerDown(peer);
        }

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {
            delegate.onFrame(from, frame);
        }

        @Override
        public void onFrames(NodeId from, List<ByteBuffer> frames) {
            delegate.onFrames(from, frames);
        }

        @Override
        public void onConnectionRejected(String remote, String reason) {
            delegate.onConnectionRejected(remote, reason);
        }

        @Override
        public void onFrameLimit(int bytes) {
            delegate.onFrameLimit(bytes);
        }

        @Override
        public void onFrameLimit(NodeId peer, int bytes) {
            delegate.onFrameLimit(peer, bytes);
        }

        @Override
        public String admit(NodeId peer, PeerProof proof) {
            return delegate.admit(peer, proof);
        }
    }
}
