package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.transport.tcp.internal.TcpEndpoint;
import java.util.Objects;

/**
 * The members a {@link TcpTransport} learns from the member lists its connected peers send (docs/TCP.md, "Member
 * lists"), as a {@link Discovery}: each member with the addresses it advertised. Obtain it with {@link
 * TcpTransport#discovery()} and give it to the node together with the transport. It reports members from the
 * transport's I/O thread, one call at a time; invalid lists and entries are reported as invalid input from the
 * peer that sent them. A member this node has had no connection to for {@code memberLostAfter} (default 60 s) is
 * reported lost.
 */
final class TcpDiscovery implements Discovery {
    private final TcpTransport transport;
    private Listener listener;
    private NodeId self;
    private TcpEndpoint endpoint;
    private boolean started;
    private boolean closed;

    TcpDiscovery(TcpTransport transport) {
        this.transport = transport;
    }

    /**
     * Starts reporting; the transport may be started before or after.
     *
     * @throws IllegalArgumentException if the transport was started as another node
     */
    @Override
    public synchronized void start(NodeId self, Listener listener) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(listener, "listener");
        if (started || closed) throw new IllegalStateException("discovery was already started or closed");
        if (this.self != null && !this.self.equals(self)) {
            throw new IllegalArgumentException("the transport runs as " + this.self + ", not " + self);
        }
        started = true;
        this.listener = listener;
        if (endpoint != null) endpoint.attachDiscovery(listener);
    }

    /** The transport started as {@code self}: attach a listener that was given before. */
    synchronized void transportStarted(NodeId self, TcpEndpoint endpoint) {
        this.self = self;
        this.endpoint = endpoint;
        if (started && !closed) endpoint.attachDiscovery(listener);
    }

    /** Returns once no report is in progress or can follow. */
    @Override
    public void close() {
        TcpEndpoint e;
        synchronized (this) {
            if (closed) return;
            closed = true;
            e = started ? endpoint : null;
        }
        if (e != null) e.detachDiscovery();
    }

    @Override
    public String toString() {
        return "TcpDiscovery[" + transport + "]";
    }
}
