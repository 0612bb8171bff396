package dev.tether.transport.nats;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import java.util.Objects;

/**
 * NATS presence as a {@link Discovery}: the peers a {@link NatsTransport} hears announcing themselves on its
 * presence subject. Obtain it with {@link NatsTransport#discovery()}. Calls come one at a time from the transport's
 * threads (under its link table's lock). It reports no addresses (NATS needs none) and never invalid input:
 * messages that are not valid announcements are refused by the transport before presence sees them, and reported
 * as rejected connections.
 */
final class NatsDiscovery implements Discovery {
    private final NatsTransport transport;
    private NodeId transportSelf;
    private Listener listener;
    private boolean started;
    private boolean closed;

    NatsDiscovery(NatsTransport transport) {
        this.transport = transport;
    }

    /**
     * Starts reporting; the transport may be started before or after.
     *
     * @throws IllegalArgumentException if the transport runs as another node
     */
    @Override
    public synchronized void start(NodeId self, Listener listener) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(listener, "listener");
        if (started || closed) throw new IllegalStateException("discovery was already started or closed");
        if (transportSelf != null && !transportSelf.equals(self)) {
            throw new IllegalArgumentException("the transport runs as " + transportSelf + ", not " + self);
        }
        started = true;
        this.listener = listener;
        if (transportSelf != null) transport.link().attachPresence(listener);
    }

    synchronized void transportStarted(NodeId self) {
        transportSelf = self;
        if (started && !closed) transport.link().attachPresence(listener);
    }

    /** Returns once no report is in progress or can follow. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (started && transportSelf != null) transport.link().attachPresence(null);
    }

    @Override
    public String toString() {
        return "NatsDiscovery[" + transport.prefix() + "]";
    }
}
