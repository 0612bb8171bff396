package dev.tether.node;

import dev.tether.AckMode;
import dev.tether.DeadLetterLimits;
import dev.tether.Durability;
import dev.tether.FailurePolicy;
import dev.tether.InvalidConfigException;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.QueueFullException;
import dev.tether.RetryPolicy;
import dev.tether.StreamLimits;
import dev.tether.TetherListener;
import dev.tether.TetherNode;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.Rule;
import dev.tether.internal.call.EventSettings;
import dev.tether.internal.call.HandlerSpec;
import dev.tether.internal.engine.EngineConfig;
import dev.tether.internal.engine.WireCompression;
import dev.tether.internal.runtime.NodeSettings;
import dev.tether.internal.runtime.StreamLimitRule;
import dev.tether.spi.Codec;
import dev.tether.spi.CommitObserver;
import dev.tether.spi.Discovery;
import dev.tether.spi.Store;
import dev.tether.spi.Transport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The validated, immutable configuration of a node. Build with {@link #builder(NodeId)}; {@link
 * Builder#build()} checks every value and names the first bad one in an {@link InvalidConfigException}.
 */
public final class TetherConfig {
    private final NodeSettings settings;
    private final StartRegistrations registrations;

    private TetherConfig(Builder b, Store store, int maxMessageBytes, List<HandlerSpec> namedHandlers) {
        this.registrations = new StartRegistrations(
                namedHandlers, b.channelHandlers(), b.codec, b.events, b.rules(), b.configuredEndpoints());
        this.settings = new NodeSettings(
                b.nodeId,
                Set.copyOf(b.peers),
                b.transport,
                store,
                b.durability,
                b.window,
                maxMessageBytes,
                b.maxQueuedPerStream,
                b.maxPendingSendBytes,
                b.maxInboundQueueBytes,
                b.retransmitTimeout,
                b.maxRetransmitTimeout,
                b.retryPolicy,
                b.failurePolicy,
                b.ackMode,
                b.handler,
                b.handlerThreads,
                b.handlerOnNodeThread,
                b.listener,
                b.clock,
                b.allowedPeers,
                b.insecureAdmitUnprovenPeers,
                b.discoveries,
                b.defaultCallTimeout,
                b.commitObserver,
                b.maxVolatileBytes,
                b.idempotencyWindow,
                b.maxIdempotencyKeys,
                b.channelJoinTimeout != null ? b.channelJoinTimeout : b.defaultCallTimeout,
                b.compression != null ? b.compression : ConfigChecks.compression(null, 1),
                b.deadLetters,
                b.streamLimits,
                b.lanePriorities(),
                b.historyOptions());
    }

    /** A builder for node {@code nodeId}, with the defaults described on each of its setters. */
    public static Builder builder(NodeId nodeId) {
        return new Builder(nodeId);
    }

    /** This node's id. */
    public NodeId nodeId() {
        return settings.nodeId();
    }

    /** The nodes this node exchanges messages with from the start; they are admitted without further proof. */
    public Set<NodeId> peers() {
        return settings.peers();
    }

    /**
     * Patterns a peer that is neither configured nor added must match to be admitted; empty (the default) admits
     * every peer whose identity the transport proved. See {@link Builder#allowedPeers}.
     */
    public List<String> allowedPeers() {
        return settings.allowedPeers();
    }

    /** Whether peers whose identity nothing proved are admitted; see {@link Builder#insecureAdmitUnprovenPeers}. */
    public boolean insecureAdmitUnprovenPeers() {
        return settings.insecureAdmitUnprovenPeers();
    }

    /** The discoveries the node starts after its transport; see {@link Builder#discovery}. */
    public List<Discovery> discoveries() {
        return settings.discoveries();
    }

    /** The transport the node starts, and closes at shutdown. */
    public Transport transport() {
        return settings.transport();
    }

    /** The store given to the builder, or the default store created for this node (not yet opened). */
    public Store store() {
        return settings.store();
    }

    /** What a completed {@code accepted()} future guarantees to survive. */
    public Durability durability() {
        return settings.durability();
    }

    /** Messages per stream a receiver accepts beyond its processed cursor (the credit it grants). */
    public int window() {
        return settings.window();
    }

    /** Largest payload plus encoded headers, in bytes. */
    public int maxMessageBytes() {
        return settings.maxMessageBytes();
    }

    /** Largest number of unacknowledged messages one outbound stream may hold. */
    public long maxQueuedPerStream() {
        return settings.maxQueuedPerStream();
    }

    /** Largest total size of sends not yet stored; beyond it {@code send} throws {@link QueueFullException}. */
    public long maxPendingSendBytes() {
        return settings.maxPendingSendBytes();
    }

    /** Bytes of received frames waiting for the node thread before further frames are shed. */
    public long maxInboundQueueBytes() {
        return settings.maxInboundQueueBytes();
    }

    /** The first retransmission timeout of an unacknowledged frame; it doubles on each retry. */
    public Duration retransmitTimeout() {
        return settings.retransmitTimeout();
    }

    /** The cap of the doubling retransmission timeout. */
    public Duration maxRetransmitTimeout() {
        return settings.maxRetransmitTimeout();
    }

    /** How often, and after what pauses, a nacked or throwing delivery is tried again. */
    public RetryPolicy retryPolicy() {
        return settings.retryPolicy();
    }

    /** What happens to a message whose retries are used up. */
    public FailurePolicy failurePolicy() {
        return settings.failurePolicy();
    }

    /** The bounds of the dead-letter queue and the policy when it is full. */
    public DeadLetterLimits deadLetters() {
        return settings.deadLetters();
    }

    /** The message history's bounds; null: no history (the default). */
    public HistoryOptions history() {
        return settings.history();
    }

    /** Whether the handler's return acknowledges a delivery, or the application does. */
    public AckMode ackMode() {
        return settings.ackMode();
    }

    /** The push handler, or null when the application pulls with {@link TetherNode#receive(Duration)}. */
    public MessageHandler handler() {
        return settings.handler();
    }

    /** Threads the handler runs on (unless it runs on the node thread). */
    public int handlerThreads() {
        return settings.handlerThreads();
    }

    /** Whether the handler runs on the node thread instead of handler threads; see {@link Builder#handlerOnNodeThread}. */
    public boolean handlerOnNodeThread() {
        return settings.handlerOnNodeThread();
    }

    /** Receives the node's events on the node thread. */
    public TetherListener listener() {
        return settings.listener();
    }

    /** The wall clock for timers and time to live. */
    public Clock clock() {
        return settings.clock();
    }

    /** The deadline of a {@code Call.sync} or {@code Call.request} made without a timeout. */
    public Duration defaultCallTimeout() {
        return settings.defaultCallTimeout();
    }

    /** How long {@code TetherNode.join} waits for the peers it tells; see {@link Builder#channelJoinTimeout}. */
    public Duration channelJoinTimeout() {
        return settings.channelJoinTimeout();
    }

    /** The names of the handlers registered before the node starts ({@link Builder#handle}), in order. */
    public List<String> handlerNames() {
        return registrations.namedHandlers().stream().map(HandlerSpec::name).toList();
    }

    /** The channels whose handlers are registered before the node starts ({@link Builder#handleChannel}), in order. */
    public List<String> handledChannels() {
        return List.copyOf(registrations.channelHandlers().keySet());
    }

    /** The codec of typed calls ({@link Builder#codec}), or null: the one found on the class path. */
    public Codec codec() {
        return registrations.codec();
    }

    /** The configured routing rules ({@link Builder#rule}), in the order given. */
    public List<Rule> rules() {
        return registrations.rules();
    }

    /** What the node installs before it starts: handlers, rules, endpoints. */
    StartRegistrations registrations() {
        return registrations;
    }

    /** The settings the runtime is started with. */
    NodeSettings settings() {
        return settings;
    }

    /**
     * Collects settings; every setter validates its argument. The setters of handlers and their codec are those of
     * its part {@code HandlerSettings}.
     */
    public static final class Builder extends BusSettings {
        private final NodeId nodeId;
        private final Set<NodeId> peers = new LinkedHashSet<>();
        private Transport transport;
        private Store store;
        private Path storeDirectory = Path.of(".");
        private Durability durability = Durability.FSYNC;
        private int window = 1024;
        private Integer maxMessageBytes;
        private long maxQueuedPerStream = 10_000_000L;
        private long maxPendingSendBytes = 64L << 20;
        private final List<StreamLimitRule> streamLimits = new ArrayList<>();
        private long maxInboundQueueBytes = 64L << 20;
        private Duration retransmitTimeout = Duration.ofMillis(200);
        private Duration maxRetransmitTimeout = Duration.ofSeconds(5);
        private TetherListener listener = TetherListener.NONE;
        private CommitObserver commitObserver = CommitObserver.NONE;
        private Clock clock = Clock.systemUTC();
        private final List<String> allowedPeers = new ArrayList<>();
        private boolean insecureAdmitUnprovenPeers;
        private final List<Discovery> discoveries = new ArrayList<>();
        private Duration defaultCallTimeout = Duration.ofSeconds(30);
        private Duration channelJoinTimeout;
        private long maxVolatileBytes = EngineConfig.DEFAULT_MAX_VOLATILE_BYTES;
        private Duration idempotencyWindow = Duration.ofHours(24);
        private int maxIdempotencyKeys = 100_000;
        private EventSettings events = EventSettings.DEFAULTS;
        private WireCompression compression;
        private DeadLetterLimits deadLetters = DeadLetterLimits.DEFAULT;

        private Builder(NodeId nodeId) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        }

        /**
         * Adds peers: the nodes this node may exchange messages with (to itself it may send without being a peer).
         *
         * @throws InvalidConfigException if one of them is this node itself
         */
        public Builder peers(NodeId... ids) {
            for (NodeId id : ids) peer(id);
            return this;
        }

        /** Adds peers, as {@link #peers(NodeId...)}; {@link InvalidConfigException} if one is this node itself. */
        public Builder peers(Iterable<NodeId> ids) {
            for (NodeId id : ids) peer(id);
            return this;
        }

        /** Adds one peer; {@link InvalidConfigException} if {@code id} is this node itself. */
        public Builder peer(NodeId id) {
            Objects.requireNonNull(id, "peer");
            if (id.equals(nodeId)) throw new InvalidConfigException("peers: a node cannot be its own peer: " + id);
            peers.add(id);
            return this;
        }

        /**
         * Restricts which peers that are neither configured ({@link #peers}) nor added ({@code addPeer}) are
         * admitted: their id must match one of {@code patterns}. A pattern is a node id in which {@code *} stands
         * for any run of characters ({@code orders-*}, {@code *.eu-west}, {@code *}). Without an allow-list
         * (the default) such a peer is admitted when its transport proved its identity or cluster membership (a
         * TLS certificate naming it, the cluster's pre-shared key, NATS credentials, the in-memory network) or
         * when this node has stored state with it from an earlier admission; over plain TCP nothing proves an id,
         * so only configured and added peers are admitted there (see {@link #insecureAdmitUnprovenPeers}). A
         * refused peer's connection is refused with a {@code TetherEvent.ConnectionRejected} saying why.
         *
         * @throws InvalidConfigException if a pattern is empty, longer than 64 characters or has characters other
         *     than {@code [A-Za-z0-9._-]} and {@code *}
         */
        public Builder allowedPeers(String... patterns) {
            for (String p : patterns) allowedPeers.add(ConfigChecks.allowedPeer(p));
            return this;
        }

        /**
         * INSECURE, for development on loopback only: admits peers whose identity nothing proved (plain TCP
         * without TLS or a pre-shared key), so anyone who can reach the node may connect under any id that is not
         * taken, and read what is sent to that id. The allow-list still applies. Default false: over plain TCP only
         * configured, added and previously admitted peers connect.
         */
        public Builder insecureAdmitUnprovenPeers(boolean admit) {
            this.insecureAdmitUnprovenPeers = admit;
            return this;
        }

        /**
         * A source of members the node connects to, started after the transport and closed before it; may be
         * given several times. Discovered members are still admitted only as {@link #allowedPeers} says. See
         * {@code StaticDiscovery}, {@code TcpTransport.discovery()} and {@code NatsTransport.discovery()}.
         */
        public Builder discovery(Discovery discovery) {
            Objects.requireNonNull(discovery, "discovery");
            if (discoveries.contains(discovery))
                throw new InvalidConfigException("discovery given twice: " + discovery);
            discoveries.add(discovery);
            return this;
        }

        /** The transport; required. The node starts it and closes it at shutdown. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * The store, not yet opened; the node opens it and closes it at shutdown, or when its start fails. Default: a
         * store of the provider found on the class path, in {@link #storeDirectory(Path)}.
         */
        public Builder store(Store store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * The directory of the default store, used when no {@link #store(Store)} is given: the store provider
         * found on the class path (with {@code tether-store-sqlite}, the file {@code tether-<nodeId>.db}) keeps
         * the node's store there. Default: the working directory.
         */
        public Builder storeDirectory(Path directory) {
            this.storeDirectory = Objects.requireNonNull(directory, "storeDirectory");
            return this;
        }

        /** What a completed {@code accepted()} future guarantees to survive; default {@link Durability#FSYNC}. */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Messages per stream a receiver accepts beyond its processed cursor; default 1,024; {@link
         * InvalidConfigException} unless {@code 1 <= window <= 1048576}.
         */
        public Builder window(int window) {
            this.window = (int) ConfigChecks.inRange("window", window, 1, 1 << 20);
            return this;
        }

        /**
         * The largest payload (plus encoded headers) a send accepts. Default: 1 MiB, or less when the transport's
         * frames cannot carry that much (NATS with a default server: about 1,000,000 bytes).
         */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = (int) ConfigChecks.inRange("maxMessageBytes", bytes, 1, 64 << 20);
            return this;
        }

        /**
         * Unacknowledged messages one outbound stream may hold; beyond it a send fails with {@link
         * QueueFullException}. Default 10,000,000.
         *
         * @throws InvalidConfigException if {@code max < 1}
         */
        public Builder maxQueuedPerStream(long max) {
            if (max < 1) throw new InvalidConfigException("maxQueuedPerStream must be >= 1, was " + max);
            this.maxQueuedPerStream = max;
            return this;
        }

        /**
         * Gives the outbound streams to peers matching {@code peerPattern} on lanes matching {@code lanePattern}
         * (globs: {@code *} stands for any run of characters) {@code limits} instead of {@code maxQueuedPerStream} and
         * REJECT. Rules are tried in the order given, the first match wins; lanes starting with {@code _} (Tether's
         * own traffic) are never matched. See docs/MESSAGING.md, "Backpressure".
         *
         * @throws InvalidConfigException if a pattern is empty or has characters no peer id or lane has (other than
         *     {@code [A-Za-z0-9._-]} and {@code *}), or the lane pattern starts with {@code _} (it could match only
         *     reserved lanes)
         */
        public Builder streamLimits(String peerPattern, String lanePattern, StreamLimits limits) {
            streamLimits.add(ConfigChecks.limitRule(() -> new StreamLimitRule(peerPattern, lanePattern, limits)));
            return this;
        }

        /**
         * Gives the outbound streams to the endpoints matching {@code addressPattern} ({@code NODE/AGENT} globs, {@code
         * b/worker-*}; this node's own too) {@code limits} instead of {@code maxQueuedPerStream} and REJECT, every
         * sub-lane; endpoint sends follow the policy, calls are refused. First match wins. docs/MESSAGING.md.
         *
         * @throws InvalidConfigException if the pattern is not a node and an agent glob around one {@code /}
         */
        public Builder endpointLimits(String addressPattern, StreamLimits limits) {
            streamLimits.add(ConfigChecks.limitRule(() -> StreamLimitRule.endpoints(addressPattern, limits)));
            return this;
        }

        /** Bounds memory held by sends waiting for the store; default 64 MiB, at least maxMessageBytes. */
        public Builder maxPendingSendBytes(long bytes) {
            if (bytes < 1) throw new InvalidConfigException("maxPendingSendBytes must be >= 1, was " + bytes);
            this.maxPendingSendBytes = bytes;
            return this;
        }

        /**
         * Bounds memory held by received frames the node thread has not handled yet; default 64 MiB. Frames
         * beyond it are shed (counted in {@link NodeStats#inboundFramesShed()}): the protocol recovers them by
         * retransmission, so a flooding or too-fast peer costs retransmissions, never memory or messages.
         */
        public Builder maxInboundQueueBytes(long bytes) {
            if (bytes < 1) throw new InvalidConfigException("maxInboundQueueBytes must be >= 1, was " + bytes);
            this.maxInboundQueueBytes = bytes;
            return this;
        }

        /**
         * The first retransmission timeout of an unacknowledged frame, and the cap it doubles up to; default
         * 200 ms and 5 s.
         *
         * @throws InvalidConfigException if {@code initial} is under 1 ms or {@code max} is below it
         */
        public Builder retransmitTimeout(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "retransmitTimeout");
            Objects.requireNonNull(max, "maxRetransmitTimeout");
            if (initial.toMillis() < 1) throw new InvalidConfigException("retransmitTimeout must be >= 1 ms");
            if (max.compareTo(initial) < 0) {
                throw new InvalidConfigException("maxRetransmitTimeout must be >= retransmitTimeout");
            }
            this.retransmitTimeout = initial;
            this.maxRetransmitTimeout = max;
            return this;
        }

        /**
         * Compresses message payloads of at least {@code thresholdBytes} on the wire with the codec named {@code codec}
         * ({@code lz4}, {@code zstd} or {@code snappy} with {@code tether-compression}), for peers that decompress it
         * (docs/MESSAGING.md, "Compression"). Default: none. Every node decompresses the codecs on its class path.
         *
         * @throws InvalidConfigException if no codec of that name is on the class path, or {@code thresholdBytes < 1}
         */
        public Builder compression(String codec, int thresholdBytes) {
            this.compression = ConfigChecks.compression(Objects.requireNonNull(codec, "codec"), thresholdBytes);
            return this;
        }

        /** Receives the node's events on the node thread; default {@link TetherListener#NONE}. */
        public Builder listener(TetherListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Told of every store commit (duration, size), for metrics; default {@code NONE}, see its rules. */
        public Builder commitObserver(CommitObserver observer) {
            this.commitObserver = Objects.requireNonNull(observer, "commitObserver");
            return this;
        }

        /**
         * The deadline of a {@code Call.sync} or {@code Call.request} made without {@code Call.timeout}, and the time to
         * live of a {@code Call.tell} that waits for its handler; default 30 s; {@link InvalidConfigException} if not
         * positive.
         */
        public Builder defaultCallTimeout(Duration timeout) {
            this.defaultCallTimeout = ConfigChecks.positive("defaultCallTimeout", timeout);
            return this;
        }

        /**
         * How long {@code TetherNode.join} waits for every peer it tells before its future fails
         * with {@code ChannelJoinTimeoutException} (the membership stays and reaches those peers when they return);
         * default: the {@link #defaultCallTimeout}; {@link InvalidConfigException} if not positive.
         */
        public Builder channelJoinTimeout(Duration timeout) {
            this.channelJoinTimeout = ConfigChecks.positive("channelJoinTimeout", timeout);
            return this;
        }

        /** Bytes volatile calls and replies hold until acknowledged, beyond: {@code VolatileQueueFullException}; 64 MiB. */
        public Builder maxVolatileBytes(long bytes) {
            if (bytes <= 0) throw new InvalidConfigException("maxVolatileBytes must be positive, was " + bytes);
            this.maxVolatileBytes = bytes;
            return this;
        }

        /**
         * Idempotency keys ({@code OutboundMessage.Builder.idempotencyKey}, {@code Call.idempotencyKey}): a key is
         * remembered for {@code window} after the message that carried it was processed (default 24 h, 1 s to 30
         * days), and at most {@code maxKeys} keys are (default 100,000; beyond, the oldest are forgotten early);
         * {@link InvalidConfigException} if either is out of its range.
         */
        public Builder idempotencyKeys(Duration window, int maxKeys) {
            this.idempotencyWindow = ConfigChecks.idempotencyWindow(window);
            this.maxIdempotencyKeys = ConfigChecks.maxIdempotencyKeys(maxKeys);
            return this;
        }

        /**
         * Distributed events: {@code history} completed events kept for late awaits (default 10,000), at most {@code
         * maxPending} pending ones owned by this node (default 100,000); {@link InvalidConfigException} if below 1.
         */
        public Builder events(int history, int maxPending) {
            this.events = ConfigChecks.events(history, maxPending);
            return this;
        }

        /**
         * Bounds of the dead-letter queue by count, payload bytes and age, and the policy when full ({@link
         * DeadLetterLimits}); default {@link DeadLetterLimits#DEFAULT} (100,000, 256 MiB, 30 days, drop oldest).
         */
        public Builder deadLetters(DeadLetterLimits limits) {
            this.deadLetters = Objects.requireNonNull(limits, "deadLetters");
            return this;
        }

        /** The wall clock for timers and time to live; tests pass a controllable one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws InvalidConfigException naming the first missing or inconsistent setting */
        public TetherConfig build() {
            if (transport == null) throw new InvalidConfigException("transport is required");
            Store store = this.store != null ? this.store : ConfigChecks.defaultStore(nodeId, storeDirectory);
            List<HandlerSpec> named = namedHandlers();
            ConfigChecks.storeSupports(durability, handler, ackMode, named, store);
            return new TetherConfig(this, store, ConfigChecks.maxMessageBytes(maxMessageBytes, transport), named);
        }
    }

    /** The default {@link Builder#maxMessageBytes}, when the transport carries frames that large. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    /** Bytes a data frame needs beyond the message itself (header and one message's fixed fields). */
    public static final int FRAME_OVERHEAD = EngineConfig.FRAME_OVERHEAD;
}
