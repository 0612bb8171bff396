package dev.tether.cli;

import dev.tether.spi.Discovery;
import dev.tether.spi.Transport;
import dev.tether.transport.nats.NatsTransport;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Builds the transport a node's flags describe: those {@code --transports} lists, in its order of preference; else
 * NATS when {@code --nats} is given, Unix domain sockets when {@code --uds} is, TCP otherwise.
 */
final class TransportFactory {
    private TransportFactory() {}

    /**
     * The transport, the discovery the node takes from it (the TCP member lists when seeds are given; else null),
     * and a short description of it for the {@code ready} line; the description is made when asked for, so after
     * the node started it names the port actually bound (with {@code --listen HOST:0}).
     */
    record Choice(Transport transport, Discovery discovery, Supplier<String> describer, Supplier<String> link) {
        String description() {
            return describer.get();
        }

        /** For the ready line: whether the transport's own connection is up ({@code nats=...}), or null. */
        String connectivity() {
            return link.get();
        }
    }

    /**
     * Why {@code p} cannot be a peer of the transports {@code o} selects (the rules {@link #create} applies to the
     * {@code --peer} options), or null if it can; for the peers a reload adds.
     */
    static String peerRefusal(NodeOptions o, PeerSpec p) {
        List<String> kinds = !o.transports.isEmpty()
                ? CompositeOptions.kinds(o)
                : List.of(o.usesNats() ? "nats" : o.uds != null ? "uds" : "tcp");
        if (p.address() != null && !kinds.contains("tcp")) {
            return p.id() + "=" + HostPort.format(p.address()) + " is a TCP address, and this node's transports are "
                    + kinds + (kinds.contains("nats") ? " (NATS peers are given as ids only)" : "");
        }
        if (p.socket() != null && !kinds.contains("uds")) {
            return p.id() + "=unix:" + p.socket() + " is a Unix domain socket, and this node's transports are " + kinds
                    + " (unix: peers need --uds)";
        }
        return null;
    }

    static Choice create(NodeOptions o) {
        if (!o.transports.isEmpty()) return CompositeOptions.transport(o);
        if (o.switchBackAfter != null) throw o.invalid("--switch-back-after needs --transports");
        if (o.usesNats() && o.uds != null) throw o.invalid("--uds and --nats select two transports: give one");
        if (o.usesNats()) return nats(o);
        NatsOptions.refuseWithoutNats(o);
        if (o.uds != null) return UdsOptions.transport(o);
        UdsOptions.refuseWithoutUds(o);
        return tcp(o);
    }

    private static Choice nats(NodeOptions o) {
        if (o.listen != null) throw o.invalid("--listen is for TCP; with --nats, nodes meet through NATS");
        if (!o.seeds.isEmpty() || o.advertise != null) {
            throw o.invalid((o.seeds.isEmpty() ? "--advertise" : "--seed") + " is for TCP; with --nats, nodes find"
                    + " each other through NATS announcements");
        }
        for (PeerSpec p : o.peers) {
            if (p.address() != null || p.socket() != null) {
                throw o.invalid("--peer " + p.id() + "=...: with --nats give peers as ids only (they are found"
                        + " through NATS announcements)");
            }
        }
        if (o.handshakeLimits.maxPendingHandshakes != null) {
            throw o.invalid("--max-pending-handshakes is for TCP and --uds; with --nats, NATS carries the connections");
        }
        o.handshakeLimits.refusePerAddress(o, "with --nats, NATS carries the connections");
        return natsChoice(o, NatsOptions.transport(o));
    }

    static Choice natsChoice(NodeOptions o, NatsTransport t) {
        String description =
                "nats " + String.join(",", o.natsUrls) + " prefix " + o.natsPrefix + NatsOptions.security(o);
        return new Choice(
                t,
                null,
                () -> description,
                () -> t.connectedServer().map(s -> "nats=connected").orElse("nats=not-connected-yet"));
    }

    private static InetSocketAddress resolved(NodeOptions o, InetSocketAddress a, String option) {
        try {
            return new InetSocketAddress(InetAddress.getByName(a.getHostString()), a.getPort());
        } catch (UnknownHostException e) {
            throw o.invalid(option + ": unknown host " + a.getHostString());
        }
    }

    static Choice tcp(NodeOptions o) {
        InetSocketAddress listen = o.listen != null
                ? resolved(o, o.listen, "--listen")
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        TcpTransport.Builder b = TcpTransport.builder().listen(listen);
        for (PeerSpec p : o.peers) {
            // Peers stay unresolved: the transport resolves on every dial, so DNS changes are picked up.
            if (p.address() != null) b.peer(p.id(), p.address());
        }
        // Seeds stay unresolved too; the advertised address goes into member lists as an IP literal.
        for (InetSocketAddress seed : o.seeds) b.seed(seed);
        if (o.advertise != null) b.advertise(resolved(o, o.advertise, "--advertise"));
        TlsOptions.apply(o, b);
        o.handshakeLimits.apply(o, b);
        TcpTransport transport = b.build();
        String security = (TlsOptions.enabled(o) ? " tls" : "") + (o.pskFile != null ? " psk" : "");
        // Member lists are followed only by a node given seeds: a node of a fixed configuration keeps to its --peer
        // list instead of dialing every member its peers know (which, over plain TCP, would refuse it).
        return new Choice(
                transport,
                o.seeds.isEmpty() ? null : transport.discovery(),
                () -> "tcp " + HostPort.format(boundOr(transport, listen)) + security,
                () -> null);
    }

    private static InetSocketAddress boundOr(TcpTransport transport, InetSocketAddress configured) {
        try {
            return transport.boundAddress();
        } catch (IllegalStateException notStartedYet) {
            return configured;
        }
    }
}
