package dev.tether.scenarios;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** A transport that silently drops outgoing frames of one type while {@link #active} is set. */
final class DropFrames implements Transport {
    private final Transport inner;
    private final byte type;
    volatile boolean active;
    final AtomicLong dropped = new AtomicLong();

    DropFrames(Transport inner, byte type) {
        this.inner = inner;
        this.type = type;
    }

    @Override
    public void start(NodeId self, Listener listener) {
        inner.start(self, listener);
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        if (active && frame.remaining() > 2 && frame.get(frame.position() + 2) == type) {
            dropped.incrementAndGet();
            return true;
        }
        return inner.send(peer, frame);
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
