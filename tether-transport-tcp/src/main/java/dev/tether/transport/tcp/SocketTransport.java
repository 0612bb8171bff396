package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.TetherException;
import dev.tether.spi.Transport;
import dev.tether.transport.tcp.internal.ListenFailedException;
import dev.tether.transport.tcp.internal.NettyTransport;
import dev.tether.transport.tcp.internal.SettingsBuilder;
import dev.tether.transport.tcp.internal.TcpEndpoint;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the TCP and the Unix domain socket transports share: one Netty event loop and the protocol of docs/TCP.md
 * ({@link TcpTransport}, {@code UdsTransport}). Build one with either transport's builder; no other class can extend
 * it usefully, since its constructor takes the settings only those builders prepare (the two are in different
 * packages, so this class cannot be sealed without a package cycle).
 *
 * <p>Threading: one I/O thread per transport owns the sockets and makes every listener call, so calls are serialized
 * across all peers. {@link #send} is thread-safe and never blocks: it copies the frame into the connection's pending
 * batch, which the I/O thread writes and flushes as one write when it gets to it, so bursts are batched without an
 * explicit {@link #flush()}.
 *
 * <p>Failure: a peer that is not connected makes {@code send} return false; a connection whose outbound queue holds
 * {@code outboundLimitBytes} or more also drops the frame and returns false (the engine retransmits), so a peer that
 * stops reading costs bounded memory. Handshake failures, unproven identities, oversize frames and garbage close the
 * offending connection only; they are reported through {@link Listener#onConnectionRejected}. The node keeps running.
 */
public abstract class SocketTransport implements Transport {
    private final NettyTransport core;

    /**
     * For the two transports: takes the settings {@code builder}'s {@code build()} has just prepared.
     *
     * @throws IllegalStateException if {@code builder} prepared none (it is not one of this module's builders)
     */
    protected SocketTransport(SocketTransportBuilder<?> builder) {
        this.core = SettingsBuilder.Access.of(builder).takePrepared();
    }

    /**
     * Binds the listen address (a port, or a socket file) and starts dialing the configured peers.
     *
     * @throws AddressInUseException if another socket holds the listen address ("address 127.0.0.1:7001 already in
     *     use", "unix:/run/tether/a.sock already in use: another process listens on it")
     * @throws TetherException if listening fails for another reason (the message names the address and the cause)
     * @throws IllegalStateException if the transport was started or closed before
     */
    @Override
    public void start(NodeId self, Listener listener) {
        try {
            core.start(self, listener);
        } catch (ListenFailedException failed) {
            if (failed.addressInUse()) throw new AddressInUseException(failed.getMessage(), failed.getCause());
            throw new TetherException(failed.getMessage(), failed.getCause());
        }
    }

    /**
     * Dials {@code peer} at {@code addresses} (in the transport's text form: {@code host:port} for TCP, {@code
     * unix:/path} for Unix domain sockets) and keeps redialing it, trying the addresses in turn, until {@link
     * #disconnect}. Without addresses it only forgets that the node refused or disconnected the peer, and redials it
     * where it was dialed before (if anywhere).
     *
     * @throws IllegalArgumentException naming an address that does not parse (nothing is changed)
     * @throws IllegalStateException if the transport was never started
     */
    @Override
    public void connect(NodeId peer, List<String> addresses) {
        core.connect(peer, addresses);
    }

    /** Stops dialing {@code peer} and closes every connection with it; it may dial in again if the node admits it. */
    @Override
    public void disconnect(NodeId peer) {
        core.disconnect(peer);
    }

    /**
     * Copies {@code frame} (position to limit; both are left unchanged) into the connection to {@code peer}.
     *
     * @return true if the frame was queued, false if {@code peer} is not connected, its outbound queue is full, or the
     *     frame exceeds the limit the peer announced
     * @throws IllegalArgumentException if the frame is larger than {@link #maxFrameBytes()}
     * @throws IllegalStateException if the transport was never started
     */
    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        return core.send(peer, frame);
    }

    /** Nothing to do: the I/O thread flushes each connection whenever its pending batch has been written. */
    @Override
    public void flush() {}

    /**
     * The transport's I/O thread, so the node runs its protocol loop there (unless {@link
     * SocketTransportBuilder#hostNodeLoop(boolean)} turned that off): a frame read is handled, and the frames it
     * causes are written, without waking another thread.
     */
    @Override
    public ScheduledExecutorService nodeExecutor() {
        return core.nodeExecutor();
    }

    @Override
    public int maxFrameBytes() {
        return core.maxFrameBytes();
    }

    /**
     * Whether this started transport runs on Netty's native epoll sockets (else the JDK's NIO).
     *
     * @throws IllegalStateException if the transport is not started
     */
    public boolean nativeEpoll() {
        return endpoint().nativeEpoll();
    }

    /** Frames dropped so far because a connection's outbound queue was full or the peer's limit was lower. */
    public long droppedFrames() {
        return core.droppedFrames();
    }

    /**
     * Connections refused or closed so far for a protocol violation, an identity not proven or not allowed, or
     * admission (each was reported to the listener).
     */
    public long rejectedConnections() {
        return core.rejectedConnections();
    }

    /**
     * Closes every connection and the listening socket (removing a socket file this transport created); no listener
     * call is made after this returns.
     */
    @Override
    public void close() {
        core.close();
    }

    /** The started endpoint, for the TCP transport's own additions; throws IllegalStateException before start. */
    TcpEndpoint endpoint() {
        return core.started();
    }

    NettyTransport core() {
        return core;
    }
}
