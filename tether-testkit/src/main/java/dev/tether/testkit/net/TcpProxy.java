package dev.tether.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A TCP proxy for tests that cut connections: it listens on a free loopback port and forwards each accepted
 * connection, byte for byte in both directions, to a target address. {@link #cutAll()} closes every current
 * connection (both sockets, so both ends see the connection die); {@link #pause()} makes it refuse new
 * connections (they are accepted and closed at once) until {@link #resume()}.
 *
 * <p>Plain blocking sockets: one accept thread and two daemon pump threads per connection. Thread-safe; all
 * methods may be called from any thread. A connection whose target cannot be reached (or whose target
 * supplier returns null) is closed at once. {@link #close()} stops accepting and closes everything.
 */
public final class TcpProxy implements AutoCloseable {
    private final Supplier<InetSocketAddress> target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong cuts = new AtomicLong();
    /** Bytes forwarded from clients to the target, and back. */
    private final AtomicLong toTarget = new AtomicLong();

    private final AtomicLong fromTarget = new AtomicLong();
    private volatile boolean paused;
    private volatile boolean closed;

    private TcpProxy(Supplier<InetSocketAddress> target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port forwarding to {@code target}. */
    public static TcpProxy start(InetSocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target");
        return new TcpProxy(() -> target);
    }

    /**
     * A proxy on a free loopback port forwarding each new connection to the address {@code target} returns
     * at that moment (e.g. a server that binds port 0 after the proxy was created, or is restarted on another
     * port); null refuses the connection.
     */
    public static TcpProxy start(Supplier<InetSocketAddress> target) throws IOException {
        return new TcpProxy(Objects.requireNonNull(target, "target"));
    }

    /** Bytes forwarded from clients to the target so far, over all connections (what the wire carried that way). */
    public long bytesToTarget() {
        return toTarget.get();
    }

    /** Bytes forwarded from the target back to clients so far, over all connections. */
    public long bytesFromTarget() {
        return fromTarget.get();
    }

    /** The loopback address clients connect to. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** Closes every current connection; new connections are still accepted unless paused. */
    public void cutAll() {
        for (Socket s : sockets) closeQuietly(s);
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
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            InetSocketAddress to = paused ? null : target.get();
            if (to == null) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(to, 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
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

    private void pump(Socket from, Socket to, AtomicLong bytes) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            bytes.addAndGet(n);
                        }
                    } catch (IOException e) {
                        // the connection was cut or closed by one end: close both below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-proxy-pump-" + from.getLocalPort() + "-" + to.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is best effort
        }
        if (c instanceof Socket s) sockets.remove(s);
    }
}
