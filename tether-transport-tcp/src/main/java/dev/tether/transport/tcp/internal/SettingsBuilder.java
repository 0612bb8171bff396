package dev.tether.transport.tcp.internal;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The settings the TCP and Unix domain socket builders share, validated as they are set (the public builders document
 * each one). Not thread-safe, like the builders.
 */
public final class SettingsBuilder {
    /** Default maxFrameBytes: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;
    /** The default cap on accepted connections in the handshake. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 256;
    /** The default cap on accepted connections in the handshake from one IP address. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS = 16;

    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private Duration reconnectMin = Backoff.DEFAULT_MIN;
    private Duration reconnectMax = Backoff.DEFAULT_MAX;
    private RandomGenerator random;
    private byte[] preSharedKey;
    private int outboundLimitBytes = 8 << 20;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
    private int maxPendingHandshakesPerAddress = DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS;
    private Duration heartbeat = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration memberLostAfter = Duration.ofSeconds(60);
    private Duration lostMemberRedial = Backoff.DEFAULT_LOST;
    private boolean hostNodeLoop = true;
    private boolean nativeEpoll = true;
    private NettyTransport prepared;

    /**
     * How the public builders, in two packages, reach the settings their common base class holds without the API
     * naming this internal type: the base class installs the accessor when it is initialised, which happens before
     * any builder exists.
     */
    public static final class Access {
        private static volatile Function<Object, SettingsBuilder> accessor;

        private Access() {}

        /** Called once, by the public base builder's static initialiser. */
        public static void install(Function<Object, SettingsBuilder> a) {
            if (accessor == null) accessor = a;
        }

        /** The shared settings of {@code builder}, a public transport builder. */
        public static SettingsBuilder of(Object builder) {
            return accessor.apply(builder);
        }
    }

    public void maxFrameBytes(int bytes) {
        if (bytes < 1) throw new InvalidConfigException("maxFrameBytes must be at least 1: " + bytes);
        this.maxFrameBytes = bytes;
    }

    public void reconnect(Duration min, Duration max) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new InvalidConfigException("reconnect delays must satisfy 0 < min <= max: " + min + ", " + max);
        }
        this.reconnectMin = min;
        this.reconnectMax = max;
    }

    public void random(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    public void preSharedKey(byte[] key) {
        if (key.length < 16) throw new InvalidConfigException("pre-shared key must have at least 16 bytes");
        this.preSharedKey = key.clone();
    }

    public void outboundLimitBytes(int bytes) {
        if (bytes < 1024) throw new InvalidConfigException("outboundLimitBytes must be at least 1024: " + bytes);
        this.outboundLimitBytes = bytes;
    }

    public void handshakeTimeout(Duration timeout) {
        this.handshakeTimeout = positive(timeout, "handshakeTimeout");
    }

    public void maxPendingHandshakes(int connections) {
        if (connections < 1) {
            throw new InvalidConfigException("maxPendingHandshakes must be at least 1: " + connections);
        }
        this.maxPendingHandshakes = connections;
    }

    public void maxPendingHandshakesPerAddress(int connections) {
        if (connections < 1) {
            throw new InvalidConfigException("maxPendingHandshakesPerAddress must be at least 1: " + connections);
        }
        this.maxPendingHandshakesPerAddress = connections;
    }

    public void heartbeat(Duration interval) {
        this.heartbeat = positive(interval, "heartbeat");
    }

    public void memberLostAfter(Duration after) {
        this.memberLostAfter = positive(after, "memberLostAfter");
    }

    public void lostMemberRedial(Duration interval) {
        this.lostMemberRedial = positive(interval, "lostMemberRedial");
    }

    public void connectTimeout(Duration timeout) {
        this.connectTimeout = positive(timeout, "connectTimeout");
    }

    public void hostNodeLoop(boolean host) {
        this.hostNodeLoop = host;
    }

    public void nativeEpoll(boolean preferNative) {
        this.nativeEpoll = preferNative;
    }

    private static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
            throw new InvalidConfigException(name + " must be at least 1 ms: " + d);
        }
        return d;
    }

    /**
     * Prepares the core of a transport with the given addresses and the shared settings so far, for the transport the
     * builder constructs next ({@link #takePrepared}); {@code parser} reads the addresses given to {@code connect}.
     */
    public void prepare(
            SocketAddress listen,
            Map<NodeId, ? extends SocketAddress> peers,
            Settings.TlsContexts tls,
            List<? extends SocketAddress> seeds,
            SocketAddress advertise,
            Settings.UnixSocket unix,
            Function<String, SocketAddress> parser) {
        Settings settings = new Settings(
                listen,
                Map.copyOf(peers),
                maxFrameBytes,
                reconnectMin,
                reconnectMax,
                random != null ? random : new Random(),
                tls,
                preSharedKey,
                outboundLimitBytes,
                handshakeTimeout,
                maxPendingHandshakes,
                maxPendingHandshakesPerAddress,
                heartbeat,
                connectTimeout,
                hostNodeLoop,
                nativeEpoll,
                List.copyOf(seeds),
                advertise,
                memberLostAfter,
                lostMemberRedial,
                unix);
        prepared = new NettyTransport(settings, parser);
    }

    /** The core {@link #prepare} made; a builder's transport takes it once. */
    public NettyTransport takePrepared() {
        NettyTransport t = prepared;
        if (t == null) throw new IllegalStateException("no transport prepared: build transports with their builders");
        prepared = null;
        return t;
    }
}
