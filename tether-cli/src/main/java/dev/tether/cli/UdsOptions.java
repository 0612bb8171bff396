package dev.tether.cli;

import dev.tether.InvalidConfigException;
import dev.tether.transport.uds.UdsTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;

/** Turns {@code --uds}, its {@code --uds-*} flags, {@code unix:} peers and {@code --psk-file} into a UDS transport. */
final class UdsOptions {
    private UdsOptions() {}

    /** The transport the flags describe, as the node's only transport. */
    static TransportFactory.Choice transport(NodeOptions o) {
        if (o.listen != null || !o.seeds.isEmpty() || o.advertise != null) {
            throw o.invalid("--listen, --seed and --advertise are for TCP; with --uds the node listens on its socket"
                    + " file and dials the peers given as ID=unix:PATH");
        }
        if (TlsOptions.enabled(o) || o.tlsCa != null || o.tlsTrustStore != null) {
            throw o.invalid("--tls-* is for TCP; over --uds the kernel names the peer's user (--uds-allow-uid), and"
                    + " --psk-file adds a cluster key");
        }
        for (PeerSpec p : o.peers) {
            if (p.address() != null) {
                throw o.invalid(
                        "--peer " + p.id() + "=HOST:PORT is a TCP address; with --uds give peers as" + " ID=unix:PATH");
            }
        }
        o.handshakeLimits.refusePerAddress(
                o, "over --uds every client is on this host (--max-pending-handshakes applies)");
        return member(o);
    }

    /**
     * The transport the flags describe, beside others ({@code --transports}): {@code unix:} peers are its own, the
     * others are for the other members.
     */
    static TransportFactory.Choice member(NodeOptions o) {
        UdsTransport.Builder b = UdsTransport.builder();
        try {
            b.listen(o.uds).groupAccess(o.udsGroupAccess).allowedUids(Set.copyOf(o.udsAllowUids));
            for (PeerSpec p : o.peers) {
                if (p.socket() != null) b.peer(p.id(), p.socket());
            }
            if (o.pskFile != null) b.preSharedKey(Files.readAllBytes(o.pskFile));
            o.handshakeLimits.applyGlobal(o, b);
        } catch (InvalidConfigException e) {
            throw o.invalid("--uds: " + e.getMessage());
        } catch (IOException e) {
            throw o.invalid("--psk-file: cannot read " + o.pskFile + ": " + e.getMessage());
        }
        UdsTransport transport = b.build();
        String security = o.pskFile != null ? " psk" : "";
        return new TransportFactory.Choice(transport, null, () -> "uds " + transport.address() + security, () -> null);
    }

    /** Without {@code --uds}: its flags and {@code unix:} peers are mistakes, said so rather than ignored. */
    static void refuseWithoutUds(NodeOptions o) {
        if (o.udsGroupAccess || !o.udsAllowUids.isEmpty()) {
            throw o.invalid((o.udsGroupAccess ? "--uds-group-access" : "--uds-allow-uid") + " needs --uds");
        }
        for (PeerSpec p : o.peers) {
            if (p.socket() != null) {
                throw o.invalid("--peer " + p.id() + "=unix:" + p.socket() + ": Unix domain socket peers need --uds"
                        + " (this node listens on TCP)");
            }
        }
    }
}
