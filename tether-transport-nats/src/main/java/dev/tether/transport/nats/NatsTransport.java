package dev.tether.transport.nats;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import dev.tether.transport.nats.internal.Envelope;
import dev.tether.transport.nats.internal.NatsLink;
import dev.tether.transport.nats.internal.NatsSettings;
import dev.tether.transport.nats.internal.NkeyFiles;
import dev.tether.transport.nats.internal.Subjects;
import io.nats.client.Options;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * A {@link Transport} over core NATS: every node holds one connection to any server of a NATS cluster, finds its
 * peers through periodic announcements on {@code <prefix>.presence.<its id>}, and receives frames on {@code
 * <prefix>.to.<its id>.<sender id>}. Build one per node with {@link #builder()}; see docs/NATS.md for subjects,
 * envelope, sessions and limits.
 *
 * <p>Connections. Frames travel between two nodes on a <em>link</em> named by one random id chosen by each side;
 * every frame carries both, and a receiver drops (and counts, {@link #fencedFrames()}) frames that do not carry
 * the current pair. Links end, and their ids are retired forever, when a peer misses announcements for the peer
 * timeout, says goodbye, reconnects to NATS, or when this node loses NATS. So a frame is never delivered on a later
 * link than the one it was sent on, even though jnats reconnects under the hood (rule 4 of {@link Transport}).
 *
 * <p>Outages. {@link #start} returns at once, also when no server is reachable; the transport keeps trying the
 * servers and, once attached, jnats reconnects with unlimited attempts. While detached every peer is down and
 * {@link #send} returns false; nothing sent is buffered for later (core NATS is at-most-once and Tether's engine
 * retransmits from its store once peers are up again).
 *
 * <p>Bad input. Messages on the transport's subjects that are not valid envelopes, are too large, are on the
 * wrong subject or claim a sender other than the one their subject names are dropped, counted ({@link
 * #rejectedMessages()}) and reported through {@link Transport.Listener#onConnectionRejected}; they never reach the
 * engine.
 *
 * <p>Identity and admission. Every subject ends with the id of the node that publishes on it, and a receiver drops
 * an envelope whose claimed sender differs. With per-node NATS credentials and subject permissions ({@link
 * NatsAuthorization}, {@code tether nats-config}) the server lets a node publish only under its own id, so the
 * {@code from} of a frame is proven: declare it with {@link Builder#identityEnforced}, and peers are admitted with
 * proof {@link PeerProof#IDENTITY} (rule 10) once the transport has checked on each connection that the server
 * refuses it publishing as another node ({@link #peerProof()}). Otherwise any client that may publish on the prefix
 * can claim any id and peers are admitted with proof {@link PeerProof#MEMBERSHIP}. Either way a refused peer is
 * ignored until {@link #connect} names it. Publishes and subscriptions the server refuses for lack of permission are
 * counted ({@link #permissionViolations()}) and reported through {@link Transport.Listener#onConnectionRejected}.
 *
 * <p>Threading: {@link #send} is thread-safe and lock-free apart from jnats's outgoing queue, which it waits on for
 * at most about two seconds when full (then the frame is dropped and {@code send} returns false). Listener calls
 * are made one at a time (under one lock) from jnats's dispatcher and callback threads and this transport's timer
 * and connect threads; do not call {@link #close} from inside a listener call.
 */
public final class NatsTransport implements Transport {
    /** The subject prefix used unless {@link Builder#prefix} says otherwise. */
    public static final String DEFAULT_PREFIX = "tether";

    /** The largest envelope header: the bytes a message carries beyond its frame. */
    public static final int MAX_ENVELOPE_BYTES = Envelope.MAX_HEADER_BYTES;

    /** A NATS server's default {@code max_payload}. */
    public static final int DEFAULT_SERVER_MAX_PAYLOAD = 1 << 20;

    /** The default {@link #maxFrameBytes()}: the server's default max_payload minus the envelope. */
    public static final int DEFAULT_MAX_FRAME_BYTES = DEFAULT_SERVER_MAX_PAYLOAD - MAX_ENVELOPE_BYTES;

    private final NatsSettings settings;
    private final NatsLink link;
    private final NatsDiscovery discovery = new NatsDiscovery(this);

    private NatsTransport(NatsSettings settings) {
        this.settings = settings;
        this.link = new NatsLink(settings);
    }

    /** A builder with the defaults: server {@code nats://127.0.0.1:4222}, prefix {@value #DEFAULT_PREFIX}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts connecting as {@code self} and returns at once.
     *
     * @throws IllegalStateException if this transport was started or closed before
     */
    @Override
    public void start(NodeId self, Listener listener) {
        link.start(Objects.requireNonNull(self, "self"), Objects.requireNonNull(listener, "listener"));
        discovery.transportStarted(self);
    }

    /**
     * Forgets that the node refused {@code peer} and greets it at once if it was heard recently; peers are found
     * through their announcements, so {@code addresses} are ignored.
     */
    @Override
    public void connect(NodeId peer, List<String> addresses) {
        link.connect(Objects.requireNonNull(peer, "peer"));
    }

    /** Ends the link to {@code peer}; its next announcement asks the node again whether to admit it. */
    @Override
    public void disconnect(NodeId peer) {
        link.disconnect(Objects.requireNonNull(peer, "peer"));
    }

    /**
     * The peers this transport hears announcing themselves on {@code <prefix>.presence}, as a {@link Discovery}: a
     * peer is discovered (with no addresses) when first heard, lost when it says goodbye or stays silent for the
     * peer timeout. Give it to the node to know peers before their links are up. One per transport.
     */
    public Discovery discovery() {
        return discovery;
    }

    /** The link, for {@link NatsDiscovery}. */
    NatsLink link() {
        return link;
    }

    /**
     * Publishes {@code frame} (copied; the caller may reuse its buffer) to {@code peer}'s subject.
     *
     * @return false if {@code peer} is not up or jnats refused the message (detached, outgoing queue full)
     * @throws IllegalArgumentException if the frame is larger than {@link #maxFrameBytes()}
     * @throws IllegalStateException if the transport was not started
     */
    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        return link.send(peer, frame);
    }

    @Override
    public int maxFrameBytes() {
        return settings.maxFrameBytes();
    }

    /** Says goodbye to the peers (if attached) and closes the NATS connection. Idempotent. */
    @Override
    public void close() {
        link.close();
    }

    /** The subject prefix. */
    public String prefix() {
        return settings.prefix();
    }

    /** Whether the transport is attached to a NATS server right now. */
    public boolean isAttached() {
        return link.isAttached();
    }

    /** The URL of the NATS server this transport is attached to, or empty while detached. */
    public java.util.Optional<String> connectedServer() {
        return java.util.Optional.ofNullable(link.connectedServer());
    }

    /**
     * Frames dropped because they belonged to an earlier or unknown link, or came from a peer that is not up (rule 4
     * fencing); the node's {@code NodeStats.framesFenced}.
     */
    @Override
    public long fencedFrames() {
        return link.table() == null ? 0 : link.table().fencedFrames();
    }

    /**
     * Messages dropped as malformed, oversize, on the wrong subject or from another sender than their subject names;
     * each was reported to the listener.
     */
    public long rejectedMessages() {
        return link.table() == null ? 0 : link.table().rejectedMessages();
    }

    /**
     * Publishes and subscriptions of this node the NATS server refused for lack of permission (its credentials do not
     * grant its own subjects: they are another node's, or the authorization was not made for this id and prefix);
     * each was reported to the listener. The refusals {@link Builder#identityEnforced}'s check asks for do not count.
     */
    public long permissionViolations() {
        return link.table() == null ? 0 : link.table().permissionViolations();
    }

    /**
     * The proof peers are admitted with on the current (or last) connection: {@link PeerProof#IDENTITY} if {@link
     * Builder#identityEnforced} is set and the server refused this node publishing as another, else {@link
     * PeerProof#MEMBERSHIP}.
     */
    public PeerProof peerProof() {
        return link.table() == null ? PeerProof.MEMBERSHIP : link.table().proof();
    }

    /** Connections on which {@link Builder#identityEnforced} was set but the server let this node act as another. */
    public long identityChecksFailed() {
        return link.identityChecksFailed();
    }

    /** Links (peer sessions) that came up so far. */
    public long linksOpened() {
        return link.table() == null ? 0 : link.table().linksOpened();
    }

    /** Frames handed to NATS so far. */
    public long framesSent() {
        return link.framesSent();
    }

    /** Publishes jnats refused (detached, queue full, above the server's max_payload). */
    public long sendsFailed() {
        return link.sendsFailed();
    }

    /** Connection sessions begun so far: 1 after the first connect, +1 for every reconnect. */
    public long sessions() {
        return link.sessions();
    }

    /** Test hook: cuts the link to {@code peer} (it goes down) until {@link #unblock}; package-private. */
    void block(NodeId peer) {
        link.block(peer);
    }

    /** Test hook: lets {@code peer} connect again on a new link. */
    void unblock(NodeId peer) {
        link.unblock(peer);
    }

    /**
     * Collects the settings of a {@link NatsTransport}; every setter validates its argument and throws {@link
     * IllegalArgumentException} naming the problem ({@link InvalidConfigException} for an unusable file), and {@link
     * #build()} checks that the settings fit together. Not thread-safe.
     *
     * <p>Authentication: at most one of {@link #token}, {@link #userInfo}, {@link #credentials} and {@link #nkey}.
     */
    public static final class Builder {
        private List<String> servers = List.of("nats://127.0.0.1:4222");
        private String prefix = DEFAULT_PREFIX;
        private char[] token;
        private String user;
        private char[] password;
        private Path credentials;
        private Path nkey;
        private boolean identityEnforced;
        private SSLContext sslContext;
        private Duration announceInterval = Duration.ofSeconds(1);
        private Duration peerTimeout;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private Duration reconnectWait = Duration.ofMillis(250);
        private Duration pingInterval = Duration.ofSeconds(5);
        private Duration connectionTimeout = Duration.ofSeconds(2);

        private Builder() {}

        /**
         * The servers to try, e.g. {@code nats://host:4222} or {@code tls://host:4222}; any one suffices. jnats's
         * {@code opentls://}, which trusts any server certificate, is refused, and so is a URL jnats cannot parse
         * (naming it).
         */
        public Builder servers(List<String> urls) {
            Objects.requireNonNull(urls, "servers");
            if (urls.isEmpty()) throw new IllegalArgumentException("at least one NATS server URL is required");
            for (String u : urls) {
                if (u == null || u.isBlank()) throw new IllegalArgumentException("blank NATS server URL");
                if (u.strip().toLowerCase(Locale.ROOT).startsWith("opentls:")) {
                    throw new IllegalArgumentException("NATS server URL " + u + ": opentls:// accepts any server"
                            + " certificate; use tls:// and an sslContext trusting the servers' CA");
                }
                checkParses(u);
            }
            this.servers = List.copyOf(urls);
            return this;
        }

        /** Refuses a URL jnats would refuse when connecting, on the connect thread, where no caller sees it. */
        private static void checkParses(String url) {
            try {
                Options.builder().server(url);
            } catch (IllegalArgumentException e) {
                Throwable why = e.getCause() != null ? e.getCause() : e;
                throw new IllegalArgumentException(
                        "NATS server URL '" + url + "' is not valid: " + why.getMessage()
                                + " (expected nats://HOST:PORT or tls://HOST:PORT)",
                        e);
            }
        }

        /** Same as {@code servers(List.of(urls))}. */
        public Builder servers(String... urls) {
            return servers(List.of(urls));
        }

        /**
         * The subject prefix: dot-separated tokens of {@code [A-Za-z0-9_-]}, at most 128 characters, the last not
         * {@code to} (such a prefix would nest with the one before it; {@link InvalidConfigException}).
         */
        public Builder prefix(String prefix) {
            this.prefix = Subjects.validatePrefix(prefix);
            return this;
        }

        /** Authenticates with a token. */
        public Builder token(char[] token) {
            Objects.requireNonNull(token, "token");
            this.token = token.clone();
            return this;
        }

        /** Authenticates with a user name and password (for per-node permissions: one user per node). */
        public Builder userInfo(String user, char[] password) {
            Objects.requireNonNull(user, "user");
            if (user.isBlank()) throw new IllegalArgumentException("NATS user name must not be blank");
            this.user = user;
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Authenticates with a NATS credentials file (JWT and NKey seed), read at each (re)connect.
         *
         * @throws InvalidConfigException if the file cannot be read now
         */
        public Builder credentials(Path credsFile) {
            Objects.requireNonNull(credsFile, "credentials");
            if (!Files.isReadable(credsFile)) {
                throw new InvalidConfigException(
                        "NATS credentials file " + credsFile + " does not exist or cannot be" + " read");
            }
            this.credentials = credsFile;
            return this;
        }

        /**
         * Authenticates as the NATS user whose nkey seed is in {@code seedFile}: one {@code SU...} line, {@code #}
         * comments allowed, as {@link NatsAuthorization#createSeedFile} writes and {@code nk -gen user} prints. The
         * file is checked now and read again at each (re)connect, so a replaced key is used on the next connect.
         *
         * @throws InvalidConfigException naming the file if it is missing, unreadable or holds no valid user seed
         */
        public Builder nkey(Path seedFile) {
            Objects.requireNonNull(seedFile, "nkey");
            NkeyFiles.publicKey(seedFile);
            this.nkey = seedFile;
            return this;
        }

        /**
         * Declares (default false) that the NATS servers restrict every client that may use the prefix to the
         * subjects of its own node id, as {@link NatsAuthorization#authorizationBlock} does. Peers are then admitted
         * with proof {@link PeerProof#IDENTITY}: the server stops a node publishing as another, and the transport
         * drops any envelope whose sender differs from its subject's. On every connection the transport first
         * checks that the server refuses it publishing under another sender (leaving two "Publish Violation" lines
         * in the server log); if not, it reports that through {@link Transport.Listener#onConnectionRejected}, counts
         * it ({@link #identityChecksFailed()}) and admits peers with proof {@link PeerProof#MEMBERSHIP} on that
         * connection. Needs per-node credentials: {@link #nkey}, {@link #userInfo} or {@link #credentials}.
         */
        public Builder identityEnforced(boolean enforced) {
            this.identityEnforced = enforced;
            return this;
        }

        /** Connects with TLS using {@code context}. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "sslContext");
            return this;
        }

        /** How often the node announces itself (default 1 s); at least 10 ms. */
        public Builder announceInterval(Duration interval) {
            this.announceInterval = atLeast(interval, Duration.ofMillis(10), "announceInterval");
            return this;
        }

        /** How long a silent peer stays up (default three announce intervals); more than one interval. */
        public Builder peerTimeout(Duration timeout) {
            this.peerTimeout = atLeast(timeout, Duration.ofMillis(20), "peerTimeout");
            return this;
        }

        /**
         * The largest frame carried (default {@link #DEFAULT_MAX_FRAME_BYTES}). Frame plus envelope must fit the
         * servers' {@code max_payload} (at most 64 MiB); the transport reports a server that allows less.
         */
        public Builder maxFrameBytes(int bytes) {
            if (bytes < 1 || bytes > (64 << 20) - MAX_ENVELOPE_BYTES) {
                throw new IllegalArgumentException(
                        "maxFrameBytes must be in 1.." + ((64 << 20) - MAX_ENVELOPE_BYTES) + ", was " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /** The pause between connection attempts while no server is reachable (default 250 ms). */
        public Builder reconnectWait(Duration wait) {
            this.reconnectWait = atLeast(wait, Duration.ofMillis(10), "reconnectWait");
            return this;
        }

        /** How often jnats pings the server to notice a dead connection (default 5 s). */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = atLeast(interval, Duration.ofMillis(100), "pingInterval");
            return this;
        }

        /** How long one connection attempt may take (default 2 s). */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = atLeast(timeout, Duration.ofMillis(100), "connectionTimeout");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the peer timeout is not longer than the announce interval
         * @throws InvalidConfigException if more than one authentication is set, or {@link #identityEnforced} without
         *     per-node credentials
         */
        public NatsTransport build() {
            Duration timeout = peerTimeout != null ? peerTimeout : announceInterval.multipliedBy(3);
            if (timeout.compareTo(announceInterval) <= 0) {
                throw new IllegalArgumentException(
                        "peerTimeout " + timeout + " must be longer than announceInterval " + announceInterval);
            }
            checkAuthentication();
            return new NatsTransport(new NatsSettings(
                    servers,
                    prefix,
                    token,
                    user,
                    password,
                    credentials,
                    nkey,
                    identityEnforced,
                    sslContext,
                    announceInterval,
                    timeout,
                    maxFrameBytes,
                    reconnectWait,
                    pingInterval,
                    connectionTimeout));
        }

        private void checkAuthentication() {
            List<String> set = new ArrayList<>();
            if (token != null) set.add("token");
            if (user != null) set.add("userInfo");
            if (credentials != null) set.add("credentials");
            if (nkey != null) set.add("nkey");
            if (set.size() > 1) {
                throw new InvalidConfigException("choose one NATS authentication, not " + String.join(" and ", set));
            }
            if (identityEnforced && (set.isEmpty() || token != null)) {
                throw new InvalidConfigException("identityEnforced needs per-node credentials (nkey, userInfo or"
                        + " credentials): " + (set.isEmpty() ? "none are set" : "a token is shared by all nodes"));
            }
        }

        private static Duration atLeast(Duration d, Duration min, String name) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0)
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + d);
            return d;
        }
    }
}
