package dev.tether.cli;

import dev.tether.Durability;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.store.sqlite.SqliteStoreProvider;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The settings of a node run by {@code tether node} and {@code tether listen}. Every option can also come
 * from a properties file given with {@code --config FILE}: the key is the long option name without dashes
 * ({@code id=a}, {@code listen=127.0.0.1:7001}, {@code peer=b=127.0.0.1:7002,c=127.0.0.1:7003}); flags on
 * the command line win.
 */
final class NodeOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option defaults.")
    Path config;

    @Mixin
    QueueLimitOptions queueLimits;

    @Mixin
    HistoryNodeOptions history;

    @Mixin
    HandshakeLimitOptions handshakeLimits;

    @Option(names = "--id", paramLabel = "ID", description = "This node's id ([A-Za-z0-9._-], 1-64 chars).")
    String id;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "TCP address to accept peers on (port 0 picks a free one).")
    InetSocketAddress listen;

    @Option(
            names = "--peer",
            paramLabel = "ID[=HOST:PORT|=unix:PATH]",
            split = ",",
            converter = PeerSpec.Converter.class,
            description = "A peer; with an address it is dialled over TCP, with unix:PATH over its Unix domain socket"
                    + " file (needs --uds). Repeat or separate with commas.")
    List<PeerSpec> peers = new ArrayList<>();

    @Option(
            names = "--uds",
            paramLabel = "PATH",
            description = "Unix domain socket file to accept peers of this host on; selects the Unix domain socket"
                    + " transport (peers given as ID=unix:PATH). Created with mode 0600 (its directory 0700 if"
                    + " missing); a stale socket left by a dead node is replaced.")
    Path uds;

    @Option(
            names = "--uds-group-access",
            description = "Create the --uds socket file with mode 0660 (the node's group may connect) instead of 0600.")
    boolean udsGroupAccess;

    @Option(
            names = "--uds-allow-uid",
            paramLabel = "UID",
            split = ",",
            description = "User ids whose processes may connect over --uds, checked with the peer's credentials"
                    + " (default: this process's own). Repeat or separate with commas.")
    List<Integer> udsAllowUids = new ArrayList<>();

    @Option(
            names = "--transports",
            paramLabel = "KIND[,KIND...]",
            split = ",",
            description = "Several transports at once (tcp, uds, nats), in order of preference: a peer is carried by"
                    + " the first that has it up, by the next when that one loses it, and by the first again once"
                    + " it has had the peer up for --switch-back-after. Each is configured by its own flags"
                    + " (--listen and ID=HOST:PORT peers, --uds and ID=unix:PATH peers, --nats).")
    List<String> transports = new ArrayList<>();

    @Option(
            names = "--switch-back-after",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "With --transports: how long a preferred transport must have had a peer up before it"
                    + " carries the peer again (default: 1s).")
    Duration switchBackAfter;

    @Option(
            names = "--seed",
            paramLabel = "HOST:PORT",
            split = ",",
            converter = HostPort.class,
            description = "TCP address of a node of the cluster whose id need not be known: the node learns the"
                    + " other members from it and connects to them. Repeat or separate with commas.")
    List<InetSocketAddress> seeds = new ArrayList<>();

    @Option(
            names = "--advertise",
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "The address other nodes should dial this one at (default: the listen address).")
    InetSocketAddress advertise;

    @Option(
            names = "--allow-peer",
            paramLabel = "GLOB",
            split = ",",
            description = "Admit peers that are not given with --peer only if their id matches one of these (* ="
                    + " any run of characters). Repeat or separate with commas. Default: any peer whose identity"
                    + " TLS, --psk-file or NATS proves.")
    List<String> allowPeers = new ArrayList<>();

    @Option(
            names = "--insecure-admit-unproven-peers",
            description = "INSECURE, loopback development only: over plain TCP, admit peers that are not given"
                    + " with --peer although nothing proves their id (anyone who reaches the port may connect"
                    + " under any unused id).")
    boolean insecureAdmitUnprovenPeers;

    @Option(
            names = "--nats",
            paramLabel = "URL",
            split = ",",
            description = "NATS server URLs (any servers of one cluster); selects the NATS transport.")
    List<String> natsUrls = new ArrayList<>();

    @Option(names = "--nats-prefix", paramLabel = "PREFIX", description = "Subject prefix (default: tether).")
    String natsPrefix = "tether";

    @Option(names = "--nats-token", paramLabel = "TOKEN", description = "NATS token authentication.")
    String natsToken;

    @Option(names = "--nats-user", paramLabel = "USER", description = "NATS user name.")
    String natsUser;

    @Option(names = "--nats-password", paramLabel = "PASSWORD", description = "NATS password.")
    String natsPassword;

    @Option(names = "--nats-creds", paramLabel = "FILE", description = "NATS credentials file (JWT + nkey).")
    Path natsCreds;

    @Option(
            names = "--nats-nkey",
            paramLabel = "FILE",
            description = "This node's NATS nkey seed file (made by tether nats-config), read at every connect.")
    Path natsNkey;

    @Option(
            names = "--nats-identity-enforced",
            description = "The NATS servers let each node publish only under its own id (tether nats-config):"
                    + " peers are admitted on proven identity; checked at every connect.")
    boolean natsIdentityEnforced;

    @Option(
            names = "--nats-tls-ca",
            paramLabel = "PEM",
            description = "CA certificates to trust for TLS to the NATS servers (use tls:// URLs).")
    Path natsTlsCa;

    @Option(
            names = "--nats-tls-cert",
            paramLabel = "PEM",
            description = "Client certificate chain for NATS servers that verify clients (with --nats-tls-key).")
    Path natsTlsCert;

    @Option(names = "--nats-tls-key", paramLabel = "PEM", description = "Client private key (PKCS#8 PEM).")
    Path natsTlsKey;

    @Option(names = "--store", paramLabel = "FILE", description = "SQLite store file (default: tether-ID.db).")
    Path store;

    @Option(
            names = "--store-dir",
            paramLabel = "DIR",
            description = "Directory of the default store file tether-ID.db (default: current directory).")
    Path storeDir = Path.of(".");

    @Option(
            names = "--durability",
            paramLabel = "LEVEL",
            description = "FSYNC (default: survives power loss), OS_BUFFERED (survives process crashes), MEMORY.")
    Durability durability = Durability.FSYNC;

    @Option(names = "--window", paramLabel = "N", description = "Messages in flight per stream (default 1024).")
    int window = 1024;

    @Option(
            names = "--max-message-bytes",
            paramLabel = "BYTES",
            description = "Largest payload accepted (default: 1048576, or what the transport carries if less).")
    Integer maxMessageBytes;

    /** Applies the settings every node command shares: limits, admission, and the transport's discovery if any. */
    void applySettings(dev.tether.node.TetherConfig.Builder b, TransportFactory.Choice transport) {
        if (transport.discovery() != null) b.discovery(transport.discovery());
        b.window(window);
        if (maxMessageBytes != null) b.maxMessageBytes(maxMessageBytes);
        b.allowedPeers(allowPeers.toArray(String[]::new));
        b.insecureAdmitUnprovenPeers(insecureAdmitUnprovenPeers);
        queueLimits.apply(b);
        history.apply(b);
    }

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "This node's certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "This node's private key (PKCS#8 PEM).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificates that sign peers (PEM).")
    Path tlsCa;

    @Option(names = "--tls-keystore", paramLabel = "P12", description = "This node's key and chain (PKCS12).")
    Path tlsKeyStore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASSWORD", description = "Key store password.")
    String tlsKeyStorePassword = "";

    @Option(names = "--tls-truststore", paramLabel = "P12", description = "Trusted CA certificates (PKCS12).")
    Path tlsTrustStore;

    @Option(names = "--tls-truststore-password", paramLabel = "PASSWORD", description = "Trust store password.")
    String tlsTrustStorePassword = "";

    @Option(
            names = "--tls-no-client-auth",
            description = "Do not require peers to present certificates (they are then taken at their word).")
    boolean tlsNoClientAuth;

    @Option(
            names = "--psk-file",
            paramLabel = "FILE",
            description = "Cluster key file (at least 16 bytes): peers must prove they know it.")
    Path pskFile;

    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "Address of the admin endpoint used by tether send/stats/topology/dlq and the dashboard"
                    + " (off by default); loopback unless --admin-token-file is given.")
    InetSocketAddress admin;

    @Option(
            names = "--admin-token-file",
            paramLabel = "FILE",
            description = "File whose first line (16+ characters) is the admin token: requests from other addresses"
                    + " than loopback must present it (Authorization: Bearer TOKEN); allows a non-loopback --admin.")
    Path adminTokenFile;

    @Option(
            names = "--metrics",
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (off by default).")
    InetSocketAddress metrics;

    NodeId nodeId() {
        if (id == null) throw new ParameterException(spec.commandLine(), "--id is required");
        try {
            return NodeId.of(id);
        } catch (InvalidIdException e) {
            throw new ParameterException(spec.commandLine(), "--id: " + e.getMessage());
        }
    }

    /** The configured peers; none is valid (a node that only accepts inbound peers). */
    List<NodeId> peerIds() {
        return peers.stream().map(PeerSpec::id).distinct().toList();
    }

    boolean usesNats() {
        return !natsUrls.isEmpty();
    }

    @Option(
            names = "--skip-integrity-check",
            description = "Do not run SQLite's quick_check on the store at start (for stores too large to check"
                    + " at every start; see docs/OPERATIONS.md).")
    boolean skipIntegrityCheck;

    /** The store this node opens: {@code --store}, or the default file in {@code --store-dir}. */
    SqliteStore openStore() {
        NativeSqlite.prepare();
        Path file = store != null ? store : new SqliteStoreProvider().locate(nodeId(), storeDir);
        return SqliteStore.builder(file).checkIntegrity(!skipIntegrityCheck).build();
    }

    Path storePath() {
        Path p = store != null ? store : new SqliteStoreProvider().locate(nodeId(), storeDir);
        return p.toAbsolutePath().normalize();
    }

    ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
