package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * What the public TCP and Unix domain socket transports share: the lifecycle around one {@link TcpEndpoint}. Each
 * public transport is a thin face over one of these, adding its own builder, address parsing and exceptions.
 *
 * <p>Threading: {@link #start} and {@link #close} are synchronized; everything else may be called from any thread.
 */
public final class NettyTransport {
    private final Settings settings;
    private final Function<String, SocketAddress> parser;
    private volatile TcpEndpoint endpoint;
    private volatile boolean closed;

    /** A transport with {@code settings} that reads the addresses given to {@link #connect} with {@code parser}. */
    public NettyTransport(Settings settings, Function<String, SocketAddress> parser) {
        this.settings = settings;
        this.parser = parser;
    }

    /**
     * Binds the listen address and starts dialing the configured peers.
     *
     * @return the started endpoint
     * @throws ListenFailedException if the listen address cannot be bound
     * @throws IllegalStateException if the transport was started or closed before
     */
    public synchronized TcpEndpoint start(NodeId self, Transport.Listener listener) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(listener, "listener");
        if (endpoint != null || closed) throw new IllegalStateException("transport was already started or closed");
        TcpEndpoint e = new TcpEndpoint(settings, self, listener);
        // Published before it starts: a listener may answer a peer-up with a send before start() returns.
        endpoint = e;
        try {
            e.start();
        } catch (RuntimeException failed) {
            endpoint = null;
            throw failed;
        }
        return e;
    }

    /** See {@code Transport.connect}: parses every address first, so a bad one changes nothing. */
    public void connect(NodeId peer, List<String> addresses) {
        List<SocketAddress> parsed = new ArrayList<>(addresses.size());
        for (String a : addresses) parsed.add(parser.apply(a));
        TcpEndpoint e = endpoint;
        if (e == null) {
            if (closed) return;
            throw new IllegalStateException("transport is not started");
        }
        if (!closed) e.connect(peer, parsed);
    }

    public void disconnect(NodeId peer) {
        TcpEndpoint e = endpoint;
        if (e != null && !closed) e.disconnect(peer);
    }

    /** See {@code Transport.send}. */
    public boolean send(NodeId peer, ByteBuffer frame) {
        int size = frame.remaining();
        if (size > settings.maxFrameBytes()) {
            throw new IllegalArgumentException(
                    "frame of " + size + " bytes exceeds maxFrameBytes " + settings.maxFrameBytes());
        }
        TcpEndpoint e = endpoint;
        if (e == null) {
            if (closed) return false;
            throw new IllegalStateException("transport is not started");
        }
        return !closed && e.send(peer, frame);
    }

    public ScheduledExecutorService nodeExecutor() {
        TcpEndpoint e = endpoint;
        return e == null || !settings.hostNodeLoop() ? null : e.eventLoop();
    }

    public int maxFrameBytes() {
        return settings.maxFrameBytes();
    }

    /**
     * The started endpoint.
     *
     * @throws IllegalStateException if the transport is not started
     */
    public TcpEndpoint started() {
        TcpEndpoint e = endpoint;
        if (e == null) throw new IllegalStateException("transport is not started");
        return e;
    }

    public long droppedFrames() {
        TcpEndpoint e = endpoint;
        return e == null ? 0 : e.droppedFull() + e.droppedTooLarge();
    }

    public long rejectedConnections() {
        TcpEndpoint e = endpoint;
        return e == null ? 0 : e.rejections();
    }

    public long invalidMemberInput() {
        TcpEndpoint e = endpoint;
        return e == null ? 0 : e.invalidMemberInput();
    }

    public synchronized void close() {
        if (closed) return;
        closed = true;
        TcpEndpoint e = endpoint;
        if (e != null) e.close();
    }
}
