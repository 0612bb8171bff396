package dev.tether.transport.tcp;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.Transport;
import dev.tether.transport.tcp.internal.Settings;
import dev.tether.transport.tcp.internal.SettingsBuilder;
import dev.tether.transport.tcp.internal.TcpAddresses;
import dev.tether.transport.tcp.internal.TlsContextFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * A {@link Transport} over TCP (Netty, NIO). It listens on one address, dials the configured peers, the seeds
 * and the peers the node asks for ({@link #connect}) and keeps redialing them with jittered exponential backoff,
 * and accepts connections from nodes that pass the handshake and that the node admits (nodes it does not dial
 * become known then). Connected nodes exchange member lists, which {@link #discovery()} reports to the node. Between two nodes there is one connection: if both
 * dial at once, the connection dialed by the node with the smaller id wins. Build one with {@link
 * #builder()}; the wire format, handshake and limits are in docs/TCP.md.
 *
 * <pre>{@code
 * TcpTransport transport = TcpTransport.builder()
 *         .listen(new InetSocketAddress("0.0.0.0", 7001))
 *         .peer(NodeId.of("b"), new InetSocketAddress("10.0.0.2", 7001))
 *         .tls(TcpTls.fromPem(chain, key, ca))
 *         .build();
 * }</pre>
 *
 * <p>Threading: one I/O thread per transport owns the sockets and makes every listener call, so calls are
 * serialized across all peers. {@link #send} is thread-safe and never blocks: it copies the frame into the
 * connection's pending batch, which the I/O thread writes and flushes as one write when it gets to it, so
 * bursts are batched without an explicit {@link #flush()}.
 *
 * <p>Failure: a peer that is not connected makes {@code send} return false; a connection whose outbound
 * queue holds {@link Builder#outboundLimitBytes} or more also drops the frame and returns false (the engine
 * retransmits), so a peer that stops reading costs bounded memory. Handshake failures, unproven identities, oversize frames and garbage close the offending
 * connection only; they are reported through {@link Listener#onConnectionRejected}. The node keeps running.
 */
public final class TcpTransport extends SocketTransport {
    /** Default {@link #maxFrameBytes()}: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = SettingsBuilder.DEFAULT_MAX_FRAME_BYTES;

    private final TcpDiscovery discovery = new TcpDiscovery(this);

    private TcpTransport(Builder builder) {
        super(builder);
    }

    /** A builder with the defaults described on each of its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the listen address and starts dialing the configured peers.
     *
     * @throws AddressInUseException if the listen address is taken ("address 127.0.0.1:7001 already in use")
     * @throws dev.tether.TetherException if listening fails for another reason
     * @throws IllegalStateException if the transport was started or closed before
     */
    @Override
    public void start(NodeId self, Listener listener) {
        super.start(self, listener);
        discovery.transportStarted(self, endpoint());
    }

    /**
     * The members this transport learns from the member lists its peers send (see docs/TCP.md, "Member lists"):
     * give it to the node ({@code TetherConfig.Builder.discovery}) to connect to them. With {@link
     * Builder#seed seeds}, a node given one address learns the rest of the cluster this way. One discovery per
     * transport: every call returns the same.
     */
    public Discovery discovery() {
        return discovery;
    }

    /**
     * The address the transport listens on, with the actual port when port 0 was configured.
     *
     * @throws IllegalStateException if the transport is not started
     */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) endpoint().boundAddress();
    }

    /**
     * Invalid member lists, entries and addresses received and dropped so far (docs/TCP.md, "Seeds and member
     * lists"); each was also reported to the transport's discovery, if the node uses it.
     */
    public long invalidMemberInput() {
        return core().invalidMemberInput();
    }

    /**
     * Configures a {@link TcpTransport}. Not thread-safe; {@link #build()} validates everything and may be
     * called more than once.
     */
    public static final class Builder extends SocketTransportBuilder<Builder> {
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        private final Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>();
        private TcpTls tls;
        private final LinkedHashSet<InetSocketAddress> seeds = new LinkedHashSet<>();
        private InetSocketAddress advertise;

        private Builder() {}

        /** Where to listen; port 0 picks a free port (see {@link #boundAddress()}). Default 127.0.0.1:0. */
        public Builder listen(InetSocketAddress address) {
            this.listen = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * A peer to dial at {@code address}, and redial whenever the connection is lost. An entry for the node
         * itself is ignored, so all nodes of a cluster may be given the same peer list.
         */
        public Builder peer(NodeId id, InetSocketAddress address) {
            peers.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(address, "address"));
            return this;
        }

        /** Adds every entry of {@code peers} as by {@link #peer}. */
        public Builder peers(Map<NodeId, InetSocketAddress> peers) {
            peers.forEach(this::peer);
            return this;
        }

        /**
         * An address of some node of the cluster, whose id need not be known: the transport dials it (and redials it
         * until a handshake succeeds), learns the node's id, and from then on treats it as a peer at that address.
         * The member lists connected nodes exchange then tell the node about the others (see {@link
         * TcpTransport#discovery()}). Every node may get the same seed list: a seed that is the node itself is
         * recognised and dropped. A seed is admitted like any peer: over plain TCP only if it is configured or the
         * node admits unproven peers. Default: none.
         */
        public Builder seed(InetSocketAddress address) {
            seeds.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        /** Adds every address as by {@link #seed}. */
        public Builder seeds(List<InetSocketAddress> addresses) {
            addresses.forEach(this::seed);
            return this;
        }

        /**
         * The address this node tells its peers to dial it at, in its member lists. Default: the bound address; a
         * wildcard one ({@code 0.0.0.0}) is replaced by each peer with the address the connection comes from.
         */
        public Builder advertise(InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) throw new InvalidConfigException("advertise: unresolved address " + address);
            this.advertise = address;
            return this;
        }

        /** Encrypts and authenticates connections with TLS. Default: plaintext. */
        public Builder tls(TcpTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Of the accepted connections in the handshake ({@link #maxPendingHandshakes}), how many may come from one IP
         * address at once (at least 1), so that one address cannot take every slot and lock the other peers out: a
         * connection beyond it is closed at once and reported as a rejected connection, like one beyond the global
         * cap. A value at or above {@code maxPendingHandshakes} leaves only the global cap. Default 16 (docs/TCP.md,
         * "Frames and limits").
         *
         * @throws InvalidConfigException if {@code connections} is below 1
         */
        public Builder maxPendingHandshakesPerAddress(int connections) {
            SettingsBuilder.Access.of(this).maxPendingHandshakesPerAddress(connections);
            return this;
        }

        /**
         * How long a member learnt from member lists ({@link #discovery()}) may stay unconnected (never reached, or
         * its connection closed and did not come back) before the discovery reports it lost. Default 60 s.
         */
        public Builder memberLostAfter(Duration after) {
            SettingsBuilder.Access.of(this).memberLostAfter(after);
            return this;
        }

        /**
         * How often a member reported lost ({@link #memberLostAfter}) is still dialed, at the address it was learnt
         * with, until it connects or a member list names it again (then the usual {@link #reconnect} backoff
         * applies, as it does once the node adds it with an address). Default 30 s (each delay jittered between half
         * and all of it). Configured peers are never slowed down this way.
         */
        public Builder lostMemberRedial(Duration interval) {
            SettingsBuilder.Access.of(this).lostMemberRedial(interval);
            return this;
        }

        /**
         * A new, unstarted transport.
         *
         * @throws InvalidConfigException if the TLS settings cannot be turned into TLS contexts
         */
        public TcpTransport build() {
            Settings.TlsContexts contexts = null;
            if (tls != null) {
                try {
                    contexts = TlsContextFactory.create(
                            tls.keyManagerFactory(), tls.trustManagerFactory(), tls.isMutual());
                } catch (SSLException e) {
                    throw new InvalidConfigException("cannot set up TLS: " + e.getMessage(), e);
                }
            }
            SettingsBuilder.Access.of(this)
                    .prepare(listen, peers, contexts, List.copyOf(seeds), advertise, null, TcpAddresses::parse);
            return new TcpTransport(this);
        }
    }
}
