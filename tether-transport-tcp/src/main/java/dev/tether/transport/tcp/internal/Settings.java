package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The validated configuration of one TCP transport, built by {@code TcpTransport.Builder}.
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
 */
public record Settings(
        InetSocketAddress listen,
        Map<NodeId, InetSocketAddress> peers,
        int maxFrameBytes,
        Duration reconnectMin,
        Duration reconnectMax,
        RandomGenerator random,
        TlsContexts tls,
        byte[] preSharedKey,
        int outboundLimitBytes,
        Duration handshakeTimeout,
        Duration heartbeatInterval,
        Duration connectTimeout,
        boolean hostNodeLoop,
        boolean nativeEpoll,
        java.util.List<InetSocketAddress> seeds,
        InetSocketAddress advertise,
        Duration memberLostAfter,
        Duration lostMemberRedial) {

    /** A server and a client TLS context and whether clients must present certificates. */
    public record TlsContexts(SslContext server, SslContext client, boolean mutual) {}
}
