package dev.tether.transport.nats;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.Transport;
import dev.tether.transport.nats.internal.Envelope;
import dev.tether.transport.nats.internal.NatsLink;
import dev.tether.transport.nats.internal.NatsSettings;
import dev.tether.transport.nats.internal.Subjects;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * A {@link Transport} over core NATS: every node holds one connection to any server of a NATS cluster, finds its
 * peers through periodic announcements on {@code <prefix>.presence}, and receives frames on {@code
 * <prefix>.to.<its id>}. Build one per node with {@link #builder()}; see docs/NATS.md for subjects, envelope,
 * sessions and limits.
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
 * <p>Bad input. Messages on the transport's subjects that are not valid envelopes, are too large or are on the
 * wrong subject are dropped, counted ({@link #rejectedMessages()}) and reported through {@link
 * Transport.Listener#onConnectionRejected}; they never reach the engine.
 *
 * <p>Identity and admission. Core NATS does not tell a subscriber who published a message, so the {@code from} of a
 * frame is the id its sender claims. A client that may publish on the prefix holds the account's credentials: the
 * transport asks the node to admit each peer with proof {@link dev.tether.spi.PeerProof#MEMBERSHIP} (rule 10) and
 * ignores a refused peer until {@link #connect} names it. Restrict who may publish on the prefix with NATS accounts
 * and permissions (per-node subject permissions: see docs/NATS.md).
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

    /** Frames dropped because they belonged to an earlier or unknown link (rule 4 fencing). */
    public long fencedFrames() {
        return link.table() == null ? 0 : link.table().fencedFrames();
    }

    /** Messages dropped as malformed, oversize or on the wrong subject; each was reported to the listener. */
    public long rejectedMessages() {
        return link.table() == null ? 0 : link.table().rejectedMessages();
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
     * IllegalArgumentException} naming the problem. Not thread-safe.
     */
    public static final class Builder {
        private List<String> servers = List.of("nats://127.0.0.1:4222");
        private String prefix = DEFAULT_PREFIX;
        private char[] token;
        private String user;
        private char[] password;
        private Path credentials;
        private SSLContext sslContext;
        private Duration announceInterval = Duration.ofSeconds(1);
        private Duration peerTimeout;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private Duration reconnectWait = Duration.ofMillis(250);
        private Duration pingInterval = Duration.ofSeconds(5);
        private Duration connectionTimeout = Duration.ofSeconds(2);

        private Builder() {}

        /** The servers to try, e.g. {@code nats://host:4222} or {@code tls://host:4222}; any one suffices. */
        public Builder servers(List<String> urls) {
            Objects.requireNonNull(urls, "servers");
            if (urls.isEmpty()) throw new IllegalArgumentException("at least one NATS server URL is required");
            for (String u : urls) {
                if (u == null || u.isBlank()) throw new IllegalArgumentException("blank NATS server URL");
            }
            this.servers = List.copyOf(urls);
            return this;
        }

        /** Same as {@code servers(List.of(urls))}. */
        public Builder servers(String... urls) {
            return servers(List.of(urls));
        }

        /** The subject prefix: dot-separated tokens of {@code [A-Za-z0-9_-]}, at most 128 characters. */
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

        /** Authenticates with a user name and password. */
        public Builder userInfo(String user, char[] password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /** Authenticates with a NATS credentials file (JWT and NKey seed), read at each (re)connect. */
        public Builder credentials(Path credsFile) {
            this.credentials = Objects.requireNonNull(credsFile, "credentials");
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

        /** @throws IllegalArgumentException if the peer timeout is not longer than the announce interval */
        public NatsTransport build() {
            Duration timeout = peerTimeout != null ? peerTimeout : announceInterval.multipliedBy(3);
            if (timeout.compareTo(announceInterval) <= 0) {
                throw new IllegalArgumentException(
                        "peerTimeout " + timeout + " must be longer than announceInterval " + announceInterval);
            }
            return new NatsTransport(new NatsSettings(
                    servers,
                    prefix,
                    token,
                    user,
                    password,
                    credentials,
                    sslContext,
                    announceInterval,
                    timeout,
                    maxFrameBytes,
                    reconnectWait,
                    pingInterval,
                    connectionTimeout));
        }

        private static Duration atLeast(Duration d, Duration min, String name) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0)
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + d);
            return d;
        }
    }
}
