package dev.tether.testkit.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A proxy for tests that cut connections: it listens on a free loopback port (or, from {@link #unix}, on a Unix
 * domain socket file) and forwards each accepted connection, byte for byte in both directions, to a target address
 * of the same kind. {@link #cutAll()} closes every current connection (both sockets, so both ends see the
 * connection die); {@link #pause()} makes it refuse new connections (they are accepted and closed at once) until
 * {@link #resume()}.
 *
 * <p>Blocking socket channels: one accept thread and two daemon pump threads per connection. Thread-safe; all
 * methods may be called from any thread. A connection whose target cannot be reached (or whose target supplier
 * returns null) is closed at once. {@link #close()} stops accepting and closes everything.
 */
public final class TcpProxy implements AutoCloseable {
    private static final AtomicLong THREADS = new AtomicLong();

    private final Supplier<? extends SocketAddress> target;
    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final Set<SocketChannel> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong cuts = new AtomicLong();
    /** Bytes forwarded from clients to the target, and back. */
    private final AtomicLong toTarget = new AtomicLong();

    private final AtomicLong fromTarget = new AtomicLong();
    private volatile boolean paused;
    private volatile boolean closed;

    private TcpProxy(ServerSocketChannel server, Supplier<? extends SocketAddress> target) throws IOException {
        this.target = target;
        this.server = server;
        this.address = server.getLocalAddress();
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + THREADS.incrementAndGet());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port forwarding to {@code target}. */
    public static TcpProxy start(InetSocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target");
        return start(() -> target);
    }

    /**
     * A proxy on a free loopback port forwarding each new connection to the address {@code target} returns
     * at that moment (e.g. a server that binds port 0 after the proxy was created, or is restarted on another
     * port); null refuses the connection.
     */
    public static TcpProxy start(Supplier<InetSocketAddress> target) throws IOException {
        Objects.requireNonNull(target, "target");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return new TcpProxy(server, target);
    }

    /**
     * A proxy listening on the Unix domain socket file {@code listen} (which must not exist) and forwarding each new
     * connection to the socket file {@code target} returns at that moment; null refuses the connection. {@link
     * #close()} removes {@code listen}.
     */
    public static TcpProxy unix(Path listen, Supplier<Path> target) throws IOException {
        Objects.requireNonNull(target, "target");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen), 50);
        return new TcpProxy(server, () -> {
            Path to = target.get();
            return to == null ? null : UnixDomainSocketAddress.of(to);
        });
    }

    /** Bytes forwarded from clients to the target so far, over all connections (what the wire carried that way). */
    public long bytesToTarget() {
        return toTarget.get();
    }

    /** Bytes forwarded from the target back to clients so far, over all connections. */
    public long bytesFromTarget() {
        return fromTarget.get();
    }

    /**
     * The loopback address clients connect to.
     *
     * @throws ClassCastException for a proxy on a Unix domain socket (see {@link #socketAddress()})
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) address;
    }

    /** The address clients connect to: a loopback address and port, or a Unix domain socket file. */
    public SocketAddress socketAddress() {
        return address;
    }

    /** Closes every current connection; new connections are still accepted unless paused. */
    public void cutAll() {
        for (SocketChannel s : sockets) closeQuietly(s);
        cuts.incrementAndGet();
    }

    /** Refuses new connections (accepts and closes them) until {@link #resume()}. */
    public void pause() {
        paused = true;
    }

    /** Forwards new connections again. */
    public void resume() {
        paused = false;
    }

    /** Connections forwarded so far. */
    public long forwardedConnections() {
        return accepted.get();
    }

    /** Sockets (two per forwarded connection) currently open. */
    public int openSockets() {
        return sockets.size();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        cutAll();
        if (address instanceof UnixDomainSocketAddress unix) {
            try {
                Files.deleteIfExists(unix.getPath());
            } catch (IOException e) {
                // removing the socket file is best effort
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketAddress to = paused ? null : target.get();
            if (to == null) {
                closeQuietly(client);
                continue;
            }
            SocketChannel upstream = null;
            try {
                upstream = SocketChannel.open(to);
                if (to instanceof InetSocketAddress) {
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            } catch (IOException e) {
                closeQuietly(client);
                if (upstream != null) closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            accepted.incrementAndGet();
            if (closed || paused) {
                closeQuietly(client);
                closeQuietly(upstream);
            }
            pump(client, upstream, toTarget);
            pump(upstream, client, fromTarget);
        }
    }

    private void pump(SocketChannel from, SocketChannel to, AtomicLong bytes) {
        Thread t = new Thread(
                () -> {
                    // Reads and writes straight on the channels: the JDK's channel streams hold a per-channel lock
                    // while blocked in a read, which the pump of the other direction would need to write.
                    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                    try {
                        for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                            buffer.flip();
                            while (buffer.hasRemaining()) to.write(buffer);
                            buffer.clear();
                            bytes.addAndGet(n);
                        }
                    } catch (IOException e) {
                        // the connection was cut or closed by one end: close both below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-proxy-pump-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is best effort
        }
        if (c instanceof SocketChannel s) sockets.remove(s);
    }
}
