package dev.tether.transport.uds;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.transport.tcp.AddressInUseException;
import dev.tether.transport.tcp.SocketTransport;
import dev.tether.transport.tcp.SocketTransportBuilder;
import dev.tether.transport.tcp.internal.Settings;
import dev.tether.transport.tcp.internal.SettingsBuilder;
import dev.tether.transport.tcp.internal.UnixAddresses;
import dev.tether.transport.tcp.internal.UnixSocketFile;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

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
 * created with mode 0700 (0710 with group access) if it is missing, so the kernel lets only the node's user (and
 * group) connect. Both ends of every connection read the other process's credentials ({@code SO_PEERCRED}) and
 * refuse it unless its uid is allowed ({@link Builder#allowedUids}, default: the node's own); a connection that
 * passes proves membership ({@code PeerProof.MEMBERSHIP}): any process of an allowed user could read a pre-shared
 * key file too. A pre-shared key ({@link Builder#preSharedKey}) may be required on top.
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
public final class UdsTransport extends SocketTransport {
    /** Default {@link #maxFrameBytes()}: 16 MiB, as over TCP. */
    public static final int DEFAULT_MAX_FRAME_BYTES = SettingsBuilder.DEFAULT_MAX_FRAME_BYTES;

    /**
     * The longest socket path, in bytes of its absolute form: Linux's {@code sun_path} has 108 bytes with the
     * terminating NUL, of which the JDK's NIO binds at most 106.
     */
    public static final int MAX_PATH_BYTES = UnixSocketFile.MAX_PATH_BYTES;

    /**
     * Default {@link Builder#socketBufferBytes}: 1 MiB asked for each connection's send and receive buffer. Linux gives
     * a Unix socket {@code net.core.wmem_default} (208 KiB on most systems) where loopback TCP grows its buffers to
     * megabytes; with 208 KiB a pipelined sender found the socket full on a third of its writes (docs/UDS.md).
     */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 1 << 20;

    private final Path path;

    private UdsTransport(Builder builder, Path path) {
        super(builder);
        this.path = path;
    }

    /** A builder; {@link Builder#listen} is required, everything else has the default its method names. */
    public static Builder builder() {
        return new Builder();
    }

    /** The absolute path of the socket file this transport listens on. */
    public Path socketPath() {
        return path;
    }

    /** {@code unix:} and the socket path: the address peers give to reach this node. */
    public String address() {
        return UnixAddresses.PREFIX + path;
    }

    @Override
    public String toString() {
        return "UdsTransport[" + address() + "]";
    }

    /**
     * Configures a {@link UdsTransport}. Not thread-safe; {@link #build()} validates everything and may be called more
     * than once.
     */
    public static final class Builder extends SocketTransportBuilder<Builder> {
        private Path listen;
        private final Map<NodeId, UnixDomainSocketAddress> peers = new LinkedHashMap<>();
        private boolean groupAccess;
        private final Set<Integer> allowedUids = new TreeSet<>();
        private int socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;

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
         * (0600, the default), and a directory the transport creates lets the group traverse it (0710, not 0700).
         * Processes of the group still need an {@linkplain #allowedUids allowed uid}.
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

        /**
         * The send and receive buffer size asked of the kernel for every connection ({@code SO_SNDBUF} and {@code
         * SO_RCVBUF}; default {@value #DEFAULT_SOCKET_BUFFER_BYTES}). Linux caps the request at {@code
         * net.core.wmem_max} and {@code net.core.rmem_max} and then doubles it for its bookkeeping; 0 leaves the
         * kernel's default ({@code net.core.wmem_default}). A Unix stream socket's sender may have at most its send
         * buffer queued at the receiver: a larger one lets a pipelined sender write a burst in one system call
         * instead of waiting for the receiver to drain the socket several times.
         *
         * @throws InvalidConfigException if {@code bytes} is negative
         */
        public Builder socketBufferBytes(int bytes) {
            if (bytes < 0) throw new InvalidConfigException("socketBufferBytes must not be negative: " + bytes);
            this.socketBufferBytes = bytes;
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
                    PosixFilePermissions.fromString(groupAccess ? "rw-rw----" : "rw-------"),
                    Set.copyOf(allowedUids),
                    socketBufferBytes);
            SettingsBuilder.Access.of(this)
                    .prepare(
                            UnixDomainSocketAddress.of(listen),
                            peers,
                            null,
                            List.of(),
                            null,
                            unix,
                            UnixAddresses::parse);
            return new UdsTransport(this, listen);
        }
    }
}
