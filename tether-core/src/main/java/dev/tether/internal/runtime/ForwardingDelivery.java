package dev.tether.internal.runtime;

import dev.tether.Delivery;
import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A view of another delivery: what the message is (sender, lane, sequence, headers, payload, redelivery) is read from
 * {@code delegate}; subclasses decide how it is settled. Thread-safe if the delegate is.
 */
public abstract class ForwardingDelivery implements Delivery {
    private final Delivery delegate;

    protected ForwardingDelivery(Delivery delegate) {
        this.delegate = delegate;
    }

    @Override
    public NodeId from() {
        return delegate.from();
    }

    @Override
    public String lane() {
        return delegate.lane();
    }

    @Override
    public long seq() {
        return delegate.seq();
    }

    @Override
    public Map<String, String> headers() {
        return delegate.headers();
    }

    @Override
    public ByteBuffer payload() {
        return delegate.payload();
    }

    @Override
    public byte[] payloadBytes() {
        return delegate.payloadBytes();
    }

    @Override
    public boolean isRedelivery() {
        return delegate.isRedelivery();
    }

    @Override
    public int attempt() {
        return delegate.attempt();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
