package dev.tether.transport.uds;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.TetherException;
import dev.tether.spi.Transport;
import dev.tether.transport.tcp.AddressInUseException;
import dev.tether.transport.tcp.internal.ListenFailedException;
import dev.tether.transport.tcp.internal.NettyTransport;
import dev.tether.transport.tcp.internal.Settings;
import dev.tether.transport.tcp.internal.SettingsBuilder;
import dev.tether.transport.tcp.internal.UnixAddresses;
import dev.tether.transport.tcp.internal.UnixSocketFile;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;

/**
 * A {@link Transport} over Unix domain sockets, for nodes on one host. It speaks the TCP transport's protocol
 * (preamble, handshake, pre-shared key, admission, one connection per pair, heartbeats, frame limits; docs/TCP.md)
 * over a socket file instead of a port, on Netty's native epoll where it loads, else the JDK's NIO. Build one with
 * {@link #builder()}; docs/UDS.md describes it.
 *
 * <pre>{@code
 * UdsTransport transport = UdsTransport.builder()
 *         .listen(Path.of("/run/tether/a.sock"))
 *         .peer(NodeId.of("b"), Path.of("/run/tether/b.sock"))
 *         .build();
 * }</pre>
 *
 * <p>Identity: the socket file is created with mode 0600 (0660 with {@link Builder#groupAccess}), in a directory
 * created with mode 0700 if it is missing, so the kernel lets only the node's user (and group) connect. Both ends of
 * every connection read the other process's credentials ({@code SO_PEERCRED}) and refuse it unless its uid is
 * allowed ({@link Builder#allowedUids}, default: the node's own); a connection that passes proves membership ({@code
 * PeerProof.MEMBERSHIP}): any process of an allowed user could read a pre-shared key file too. A pre-shared key
 * ({@link Builder#preSharedKey}) may be required on top.
 *
 * <p>Socket files: a path longer than the platform allows (106 bytes on Linux) is refused when the builder gets it;
 * at start, a path that exists and is not a socket is refused, an existing socket nobody listens on (left by a node
 * that died) is replaced, and one that accepts connections means another node listens ({@link
 * AddressInUseException}). {@link #close()} removes the file if it is still the one this transport created.
 *
 * <p>Threading and failure as for {@code TcpTransport}: one I/O thread owns the sockets and makes every listener
 * call; {@link #send} is thread-safe, never blocks, and returns false when the peer is not connected or its queue is
 * full; a bad connection is closed and reported through {@link Listener#onConnectionRejected}, the transport keeps
 * running.
 */
public final class UdsTransport implements Transport {
    /** Default {@link #maxFrameBytes()}: 16 MiB, as over TCP. */
    public static final int DEFAULT_MAX_FRAME_BYTES = SettingsBuilder.DEFAULT_MAX_FRAME_BYTES;

    /**
     * The longest socket path, in bytes of its absolute form: Linux's {@code sun_path} has 108 bytes with the
     * terminating NUL, of which the JDK's NIO binds at most 106.
     */
    public static final int MAX_PATH_BYTES = UnixSocketFile.MAX_PATH_BYTES;

    private final NettyTransport core;
    private final Path path;

    private UdsTransport(Settings settings, Path path) {
        this.core = new NettyTransport(settings, UnixAddresses::parse);
        this.path = path;
    }

    /** A builder; {@link Builder#listen} is required, everything else has the default its method names. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the socket file and starts dialing the configured peers.
     *
     * @throws AddressInUseException if another process listens on the socket path
     * @throws TetherException if the path exists and is not a socket, its directory cannot be created, or binding
     *     fails for another reason (the message names the path and the cause)
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
     * Dials {@code peer} at {@code addresses} ({@code unix:/absolute/path}, tried in turn) and keeps redialing it until
     * {@link #disconnect}. Without addresses it only forgets that the node refused or disconnected the peer.
     *
     * @throws IllegalArgumentException naming an address that is not {@code unix:} and an absolute path of at most
     *     {@value #MAX_PATH_BYTES} bytes (nothing is changed)
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

    /** The transport's I/O thread, so the node runs its protocol loop there (unless {@link Builder#hostNodeLoop}). */
    @Override
    public ScheduledExecutorService nodeExecutor() {
        return core.nodeExecutor();
    }

    @Override
    public int maxFrameBytes() {
        return core.maxFrameBytes();
    }

    /** The absolute path of the socket file this transport listens on. */
    public Path socketPath() {
        return path;
    }

    /** {@code unix:} and the socket path: the address peers give to reach this node. */
    public String address() {
        return UnixAddresses.PREFIX + path;
    }

    /**
     * Whether this started transport runs on Netty's native epoll sockets (else the JDK's NIO).
     *
     * @throws IllegalStateException if the transport is not started
     */
    public boolean nativeEpoll() {
        return core.started().nativeEpoll();
    }

    /** Frames dropped so far because a connection's outbound queue was full or the peer's limit was lower. */
    public long droppedFrames() {
        return core.droppedFrames();
    }

    /**
     * Connections refused or closed so far for a protocol violation, a refused peer process (credentials) or
     * admission (each was reported to the listener).
     */
    public long rejectedConnections() {
        return core.rejectedConnections();
    }

    /** Closes every connection and the listening socket, and removes the socket file; no listener call follows. */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "UdsTransport[" + address() + "]";
    }

    /**
     * Configures a {@link UdsTransport}. Not thread-safe; {@link #build()} validates everything and may be called more
     * than once.
     */
    public static final class Builder {
        private Path listen;
        private final Map<NodeId, UnixDomainSocketAddress> peers = new LinkedHashMap<>();
        private final SettingsBuilder shared = new SettingsBuilder();
        private boolean groupAccess;
        private final Set<Integer> allowedUids = new TreeSet<>();

        private Builder() {}

        /**
         * The socket file to listen on (required); a relative path is made absolute. Its directory is created with
         * mode 0700 if missing.
         *
         * @throws InvalidConfigException if the path is empty or its absolute form is longer than {@value
         *     #MAX_PATH_BYTES} bytes
         */
        public Builder listen(Path socket) {
            this.listen = checked(socket);
            return this;
        }

        /**
         * A peer to dial at its socket file, and redial whenever the connection is lost. An entry for the node itself
         * is ignored, so all nodes may be given the same peer list.
         *
         * @throws InvalidConfigException if the path is unusable, as for {@link #listen}
         */
        public Builder peer(NodeId id, Path socket) {
            peers.put(Objects.requireNonNull(id, "id"), UnixDomainSocketAddress.of(checked(socket)));
            return this;
        }

        /** Adds every entry of {@code peers} as by {@link #peer}. */
        public Builder peers(Map<NodeId, Path> peers) {
            peers.forEach(this::peer);
            return this;
        }

        private static Path checked(Path socket) {
            try {
                return UnixSocketFile.check(socket);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(e.getMessage());
            }
        }

        /**
         * Whether the socket file is made accessible to the node's group (mode 0660) rather than to its user only
         * (0600, the default). Processes of the group still need an {@linkplain #allowedUids allowed uid}.
         */
        public Builder groupAccess(boolean group) {
            this.groupAccess = group;
            return this;
        }

        /**
         * The uids whose processes may be at the other end of a connection, checked on every connection with the
         * peer's credentials ({@code SO_PEERCRED}). Default (or an empty set): the uid this process runs as.
         *
         * @throws InvalidConfigException if a uid is negative
         */
        public Builder allowedUids(Set<Integer> uids) {
            for (int uid : uids) {
                if (uid < 0) throw new InvalidConfigException("a uid must not be negative: " + uid);
            }
            allowedUids.clear();
            allowedUids.addAll(uids);
            return this;
        }

        /** The largest frame sent or accepted, in bytes (at least 1). Default 16 MiB. */
        public Builder maxFrameBytes(int bytes) {
            shared.maxFrameBytes(bytes);
            return this;
        }

        /** Reconnect delays, as for {@code TcpTransport.Builder.reconnect}. Default 50 ms to 1 s. */
        public Builder reconnect(Duration min, Duration max) {
            shared.reconnect(min, max);
            return this;
        }

        /** The randomness for reconnect jitter (a seeded {@link Random} in tests). Default: a new unseeded one. */
        public Builder random(RandomGenerator random) {
            shared.random(random);
            return this;
        }

        /**
         * A cluster key (at least 16 bytes) both ends must prove they know, on top of the peer credential check, as
         * over TCP. Default: none.
         */
        public Builder preSharedKey(byte[] key) {
            shared.preSharedKey(key);
            return this;
        }

        /** Bytes that may wait to be written per connection before {@code send} drops frames. Default 8 MiB. */
        public Builder outboundLimitBytes(int bytes) {
            shared.outboundLimitBytes(bytes);
            return this;
        }

        /** How long a new connection may take to complete its handshake. Default 10 s. */
        public Builder handshakeTimeout(Duration timeout) {
            shared.handshakeTimeout(timeout);
            return this;
        }

        /** Idle time after which a heartbeat is sent; three silent intervals close the connection. Default 5 s. */
        public Builder heartbeat(Duration interval) {
            shared.heartbeat(interval);
            return this;
        }

        /** How long one dial may take to connect. Default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            shared.connectTimeout(timeout);
            return this;
        }

        /** Whether the node runs its protocol loop on this transport's I/O thread. Default true. */
        public Builder hostNodeLoop(boolean host) {
            shared.hostNodeLoop(host);
            return this;
        }

        /** Whether to use Netty's native epoll sockets where their library loads (default true), else NIO. */
        public Builder nativeEpoll(boolean preferNative) {
            shared.nativeEpoll(preferNative);
            return this;
        }

        /**
         * A new, unstarted transport.
         *
         * @throws InvalidConfigException if no {@link #listen} path was given
         */
        public UdsTransport build() {
            if (listen == null) throw new InvalidConfigException("UdsTransport needs a socket path: listen(Path)");
            Settings.UnixSocket unix = new Settings.UnixSocket(
                    PosixFilePermissions.fromString(groupAccess ? "rw-rw----" : "rw-------"), Set.copyOf(allowedUids));
            Settings settings = shared.build(UnixDomainSocketAddress.of(listen), peers, null, List.of(), null, unix);
            return new UdsTransport(settings, listen);
        }
    }
}
