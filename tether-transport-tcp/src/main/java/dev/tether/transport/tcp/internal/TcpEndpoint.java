package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.Errors;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A started TCP or Unix domain socket transport: one Netty event loop (one I/O thread) that owns the listening
 * socket, every connection, the dialing and all listener calls. {@link #send} may be called from any thread. The
 * listen address decides the kind: a {@link UnixDomainSocketAddress} makes every socket of the endpoint a Unix
 * domain socket, with the socket file and peer credential checks of {@link Settings.UnixSocket}. With TLS, the
 * handshakes' expensive work runs on a few threads of the endpoint's own ({@link TlsHandshakeExecutor}), so that
 * handshakes do not hold up the I/O thread's established connections.
 */
public final class TcpEndpoint {
    private static final System.Logger LOG = System.getLogger(TcpEndpoint.class.getName());
    /** Bound of each of {@link #close}'s waits for the I/O thread. */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final Settings settings;
    private final SocketFlavor flavor;
    private final EventLoopGroup group;
    private final EventLoop loop;
    /** Runs the TLS handshakes' delegated tasks; null without TLS. */
    private final TlsHandshakeExecutor tlsTasks;

    private final PeerRegistry registry;
    private final WireHandler.Options options;
    private final AtomicLong droppedFull = new AtomicLong();
    private final AtomicLong droppedTooLarge = new AtomicLong();
    private final boolean unix;
    private Channel server;
    private SocketAddress bound;
    private UnixSocketFile socketFile;

    public TcpEndpoint(Settings settings, NodeId self, Transport.Listener listener) {
        this.settings = settings;
        this.flavor = SocketFlavor.choose(settings.nativeEpoll());
        this.unix = settings.listen() instanceof UnixDomainSocketAddress;
        this.group = new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory((unix ? "tether-uds-" : "tether-tcp-") + self, true),
                flavor.newHandlerFactory());
        this.loop = group.next();
        this.tlsTasks = settings.tls() == null ? null : new TlsHandshakeExecutor("tether-tcp-" + self);
        Backoff backoff = new Backoff(
                settings.reconnectMin(), settings.reconnectMax(), settings.lostMemberRedial(), settings.random());
        MemberExchange members = new MemberExchange(self, this::advertisedAddresses, loop, settings.memberLostAfter());
        this.registry = new PeerRegistry(
                self, listener, loop, backoff, settings.peers(), settings.seeds(), members, this::dial);
        SecureRandom secureRandom = new SecureRandom();
        this.options = options(settings, secureRandom, unix ? PeerCredentials.of(settings.unix()) : null);
    }

    private static WireHandler.Options options(
            Settings settings, SecureRandom secureRandom, PeerCredentials peerCredentials) {
        return new WireHandler.Options(
                settings.maxFrameBytes(),
                settings.preSharedKey() == null ? null : new PskAuth(settings.preSharedKey()),
                settings.tls() != null,
                settings.tls() != null && settings.tls().mutual(),
                // at least two maximal frames may be in flight, so large frames can be pipelined
                Math.max(settings.outboundLimitBytes(), 2L * settings.maxFrameBytes()),
                settings.handshakeTimeout().toMillis(),
                () -> {
                    byte[] nonce = new byte[Wire.NONCE_BYTES];
                    secureRandom.nextBytes(nonce);
                    return nonce;
                },
                peerCredentials,
                new PendingHandshakes(settings.maxPendingHandshakes(), settings.maxPendingHandshakesPerAddress()));
    }

    /**
     * Binds the listening socket and starts dialing.
     *
     * @return the bound address
     * @throws ListenFailedException if the listen address cannot be bound (saying whether it is taken)
     */
    public SocketAddress start() {
        if (unix) {
            socketFile = UnixSocketFile.prepare(
                    ((UnixDomainSocketAddress) settings.listen()).getPath(),
                    settings.unix().fileMode());
        }
        ServerBootstrap sb = new ServerBootstrap()
                .group(group)
                .channel(flavor.serverChannel(unix))
                .childHandler(initializer(false, null, null));
        if (!unix) sb.option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true);
        int buffer = unix ? settings.unix().socketBufferBytes() : 0;
        if (buffer > 0) {
            sb.childOption(ChannelOption.SO_SNDBUF, buffer).childOption(ChannelOption.SO_RCVBUF, buffer);
        }
        ChannelFuture bind = sb.bind(flavor.nativeAddress(settings.listen())).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            stopTlsTasks();
            throw bindFailure(bind.cause());
        }
        server = bind.channel();
        try {
            if (unix) secureSocketFile();
        } catch (ListenFailedException e) {
            server.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            stopTlsTasks();
            socketFile.remove();
            throw e;
        }
        bound = unix ? settings.listen() : server.localAddress();
        loop.execute(registry::start);
        return bound;
    }

    /**
     * Restricts the new socket file. A process that connected in the moment before is still held to the peer
     * credential check of every connection's handshake.
     */
    private void secureSocketFile() {
        socketFile.bound(settings.unix().fileMode());
    }

    private ListenFailedException bindFailure(Throwable cause) {
        String where = settings.listen() instanceof InetSocketAddress inet
                ? inet.getHostString() + ":" + inet.getPort()
                : UnixAddresses.format(settings.listen());
        // NIO reports a BindException, native epoll a NativeIoException ("bind(..) failed ...: Address already in
        // use").
        boolean inUse = (cause instanceof BindException || cause instanceof Errors.NativeIoException)
                && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("in use");
        if (inUse) {
            return new ListenFailedException("address " + where + " already in use", true, cause);
        }
        return new ListenFailedException("cannot listen on " + where + ": " + cause, false, cause);
    }

    /** The pipeline of a connection dialed to {@code target} (to reach {@code peer}, or a seed if null) or accepted. */
    private ChannelInitializer<Channel> initializer(boolean dialed, NodeId peer, SocketAddress target) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                Settings.TlsContexts tls = settings.tls();
                if (tls != null) {
                    Executor tasks = tlsTasks.executor();
                    ch.pipeline()
                            .addLast(
                                    "tls",
                                    !dialed
                                            ? tls.server().newHandler(ch.alloc(), tasks)
                                            : target instanceof InetSocketAddress inet
                                                    ? tls.client()
                                                            .newHandler(
                                                                    ch.alloc(),
                                                                    inet.getHostString(),
                                                                    inet.getPort(),
                                                                    tasks)
                                                    : tls.client().newHandler(ch.alloc(), tasks));
                }
                long heartbeat = settings.heartbeatInterval().toMillis();
                ch.pipeline().addLast("idle", new IdleStateHandler(3 * heartbeat, heartbeat, 0, TimeUnit.MILLISECONDS));
                SocketAddress seed = dialed && peer == null ? target : null;
                ch.pipeline().addLast("wire", new WireHandler(registry, options, dialed, peer, seed));
            }
        };
    }

    /** Where peers may dial this node: the configured advertised address, else the bound one. */
    private List<String> advertisedAddresses() {
        SocketAddress a = settings.advertise() != null ? settings.advertise() : bound;
        return a == null ? List.of() : List.of(UnixAddresses.format(a));
    }

    /** See {@code TcpTransport.connect}: the addresses are parsed already; the registry takes them on its thread. */
    public void connect(NodeId peer, List<? extends SocketAddress> addresses) {
        loop.execute(() -> registry.connect(peer, addresses));
    }

    /** See {@code TcpTransport.disconnect}. */
    public void disconnect(NodeId peer) {
        loop.execute(() -> registry.disconnect(peer));
    }

    /** Reports members learnt from member lists to {@code listener}, on the I/O thread. */
    public void attachDiscovery(Discovery.Listener listener) {
        loop.execute(() -> registry.attachDiscovery(listener));
    }

    /** Stops reporting members; returns once no report is in progress or can follow. */
    public void detachDiscovery() {
        if (loop.inEventLoop()) {
            registry.attachDiscovery(null);
            return;
        }
        try {
            loop.submit(() -> registry.attachDiscovery(null)).awaitUninterruptibly();
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // The transport is closed: its I/O thread makes no more calls.
            LOG.log(System.Logger.Level.DEBUG, "discovery detached from a closed transport");
        }
    }

    private Channel dial(NodeId peer, SocketAddress address) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(flavor.channel(unix))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        settings.connectTimeout().toMillis())
                .handler(initializer(true, peer, address));
        if (!unix) b.option(ChannelOption.TCP_NODELAY, true);
        int buffer = unix ? settings.unix().socketBufferBytes() : 0;
        if (buffer > 0) b.option(ChannelOption.SO_SNDBUF, buffer).option(ChannelOption.SO_RCVBUF, buffer);
        ChannelFuture connect = b.connect(flavor.nativeAddress(address));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        () -> registry.self() + ": dial to " + (peer == null ? "seed" : peer) + " at " + address
                                + " failed: " + f.cause());
                connect.channel().close();
            }
        });
        return connect.channel();
    }

    /** The bound address: the real port for TCP, the socket file's address for a Unix domain socket. */
    public SocketAddress boundAddress() {
        return bound;
    }

    /** Whether the sockets are Netty's native epoll ones (else NIO). */
    public boolean nativeEpoll() {
        return flavor == SocketFlavor.EPOLL;
    }

    /** The single I/O thread: it owns every connection and makes every listener call. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** See {@code TcpTransport.send}. */
    public boolean send(NodeId peer, ByteBuffer frame) {
        Connection c = registry.connection(peer);
        if (c == null) return false;
        switch (c.outbound.offer(frame)) {
            case QUEUED:
                return true;
            case FULL:
                droppedFull.incrementAndGet();
                return false;
            case TOO_LARGE_FOR_PEER:
                if (droppedTooLarge.getAndIncrement() == 0) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            registry.self() + ": dropping frames of "
                                    + frame.remaining() + " bytes to " + peer + ", above the peer's limit of "
                                    + c.peerMaxFrameBytes + " bytes; configure the same maxFrameBytes on all nodes");
                }
                return false;
            default:
                return false;
        }
    }

    /**
     * The send buffer the kernel gives the current connection to {@code peer} ({@code SO_SNDBUF} as read back: on
     * Linux twice what was asked, within {@code net.core.wmem_max}), or -1 if there is none. For tests and diagnosis.
     */
    public int sendBufferBytes(NodeId peer) {
        Connection c = registry.connection(peer);
        return c == null ? -1 : c.channel.config().getOption(ChannelOption.SO_SNDBUF);
    }

    /** Frames dropped because a connection's outbound queue was full. */
    public long droppedFull() {
        return droppedFull.get();
    }

    /** Frames dropped because they exceed the limit the peer announced. */
    public long droppedTooLarge() {
        return droppedTooLarge.get();
    }

    public long rejections() {
        return registry.rejections();
    }

    public long invalidMemberInput() {
        return registry.invalidMemberInput();
    }

    /**
     * Closes every connection and the listener and stops the I/O thread and the TLS handshake threads; no listener
     * call follows.
     */
    public void close() {
        Runnable stop = () -> {
            registry.shutdown();
            if (server != null) server.close();
            if (socketFile != null) socketFile.remove();
        };
        if (loop.inEventLoop()) {
            stop.run();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            stopTlsTasks();
            return;
        }
        // Bounded: the I/O thread may be stuck in an application callback (the node loop it hosts), and then
        // neither task ever runs; the node must close its store anyway. The sockets close when the thread frees.
        boolean stopped = loop.submit(stop).awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        boolean ended = group.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .awaitUninterruptibly(stopped ? CLOSE_WAIT_SECONDS : 0, TimeUnit.SECONDS);
        if (!ended) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the TCP transport's I/O thread did not stop within " + CLOSE_WAIT_SECONDS + " s (stuck in a"
                            + " callback?); its connections close when it returns");
        }
        stopTlsTasks();
    }

    /** The connections are closed: a handshake task still running has no connection to finish for. */
    private void stopTlsTasks() {
        if (tlsTasks != null) tlsTasks.shutdown();
    }
}
