package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import io.netty.handler.ssl.SslContext;
import java.net.SocketAddress;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The validated configuration of one TCP or Unix domain socket transport, built by {@code TcpTransport.Builder}
 * or {@code UdsTransport.Builder}.
 *
 * @param listen where to listen; port 0 picks a free port
 * @param peers the peers to dial and where
 * @param maxFrameBytes the largest frame sent or accepted
 * @param reconnectMin first reconnect delay (before jitter)
 * @param reconnectMax largest reconnect delay (before jitter)
 * @param random jitter source; used only on the transport's I/O thread
 * @param tls TLS contexts, or null for plaintext
 * @param preSharedKey the cluster key for HMAC challenge-response, or null
 * @param outboundLimitBytes bytes queued per connection beyond which frames are dropped
 * @param handshakeTimeout how long a connection may take to complete the handshake
 * @param maxPendingHandshakes accepted connections that may be in the handshake at once; more are closed at once
 * @param maxPendingHandshakesPerAddress of those, how many may come from one IP address (TCP only)
 * @param heartbeatInterval idle time after which a heartbeat is sent; three intervals of silence close the
 *     connection
 * @param connectTimeout how long one dial may take to connect
 * @param hostNodeLoop whether the node may run its loop on the transport's I/O thread
 * @param nativeEpoll whether to use Netty's native epoll sockets where available (else NIO)
 * @param seeds addresses to dial without knowing the node there (its id is learnt in the handshake)
 * @param advertise the address peers should dial to reach this node, or null for the bound address
 * @param memberLostAfter how long a member learnt from member lists may stay unconnected before it is reported
 *     lost to the discovery
 * @param lostMemberRedial how often a member reported lost is redialed (jittered between half and all of it)
 * @param unix for a Unix domain socket transport (the listen address is a {@code UnixDomainSocketAddress}): its socket
 *     file's mode and which users may connect; null for TCP
 */
public record Settings(
        SocketAddress listen,
        Map<NodeId, SocketAddress> peers,
        int maxFrameBytes,
        Duration reconnectMin,
        Duration reconnectMax,
        RandomGenerator random,
        TlsContexts tls,
        byte[] preSharedKey,
        int outboundLimitBytes,
        Duration handshakeTimeout,
        int maxPendingHandshakes,
        int maxPendingHandshakesPerAddress,
        Duration heartbeatInterval,
        Duration connectTimeout,
        boolean hostNodeLoop,
        boolean nativeEpoll,
        List<SocketAddress> seeds,
        SocketAddress advertise,
        Duration memberLostAfter,
        Duration lostMemberRedial,
        UnixSocket unix) {

    /** A server and a client TLS context and whether clients must present certificates. */
    public record TlsContexts(SslContext server, SslContext client, boolean mutual) {}

    /**
     * What a Unix domain socket transport adds.
     *
     * @param fileMode the permissions the socket file gets right after bind
     * @param allowedUids the user ids whose processes may connect (checked with the peer's credentials); empty for
     *     the node's own user only
     * @param socketBufferBytes the send and receive buffer size asked of the kernel for every connection ({@code
     *     SO_SNDBUF}, {@code SO_RCVBUF}); 0 leaves the kernel's default
     */
    public record UnixSocket(Set<PosixFilePermission> fileMode, Set<Integer> allowedUids, int socketBufferBytes) {}
}
