package dev.tether.scenarios;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.ForwardingTransport;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** A transport that silently drops outgoing frames of one type while {@link #active} is set. */
final class DropFrames extends ForwardingTransport {
    private final byte type;
    volatile boolean active;
    final AtomicLong dropped = new AtomicLong();

    DropFrames(Transport inner, byte type) {
        super(inner);
        this.type = type;
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        if (active && frame.remaining() > 2 && frame.get(frame.position() + 2) == type) {
            dropped.incrementAndGet();
            return true;
        }
        return delegate().send(peer, frame);
    }
}
