package dev.tether.node;

import dev.tether.AckMode;
import dev.tether.Durability;
import dev.tether.HandlerNames;
import dev.tether.InvalidConfigException;
import dev.tether.InvalidIdException;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.TransactionalCallHandler;
import dev.tether.TransactionalHandler;
import dev.tether.internal.call.HandlerSpec;
import dev.tether.internal.engine.WireCompression;
import dev.tether.internal.runtime.StreamLimitRule;
import dev.tether.internal.runtime.TransactionalConsumer;
import dev.tether.spi.Compressor;
import dev.tether.spi.Discovery;
import dev.tether.spi.Store;
import dev.tether.spi.StoreProvider;
import dev.tether.spi.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/** The checks and defaults {@link TetherConfig.Builder#build()} applies across settings. */
final class ConfigChecks {
    private ConfigChecks() {}

    /** {@code id} as a peer of {@code self}: not null, not the node itself. */
    static NodeId peer(NodeId self, NodeId id) {
        Objects.requireNonNull(id, "peer");
        if (id.equals(self)) throw new InvalidConfigException("peers: a node cannot be its own peer: " + id);
        return id;
    }

    /** {@code d} if not null and not among {@code given}. */
    static Discovery newDiscovery(List<Discovery> given, Discovery d) {
        Objects.requireNonNull(d, "discovery");
        if (given.contains(d)) throw new InvalidConfigException("discovery given twice: " + d);
        return d;
    }

    /** Adds a named handler given before start, unless its name is invalid, reserved or taken. */
    static void addNamed(Map<String, HandlerSpec> named, HandlerSpec spec) {
        HandlerNames.requireApplicationName(spec.name());
        Objects.requireNonNull(spec.options(), "options");
        if (named.putIfAbsent(spec.name(), spec) != null) {
            throw new InvalidConfigException("a handler named '" + spec.name() + "' was given already");
        }
    }

    /**
     * Decompression with every {@link Compressor} on the class path, and compression of payloads of at least {@code
     * threshold} bytes with the one named {@code codec} (null: none).
     */
    static WireCompression compression(String codec, int threshold) {
        if (threshold < 1) throw new InvalidConfigException("compression threshold must be >= 1, was " + threshold);
        List<Compressor> found = ServiceLoader.load(Compressor.class, ConfigChecks.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        Compressor chosen = null;
        if (codec != null) {
            chosen = found.stream()
                    .filter(c -> c.name().equals(codec))
                    .findFirst()
                    .orElseThrow(() -> new InvalidConfigException("compression codec '" + codec + "' is not on the"
                            + " class path (found "
                            + found.stream().map(Compressor::name).toList()
                            + "); add tether-compression"));
        }
        return new WireCompression(found, chosen, threshold);
    }

    /** The store supports the durability, and the transactions of a transactional handler if there is one. */
    static void storeSupports(
            Durability durability,
            MessageHandler handler,
            AckMode ackMode,
            Collection<HandlerSpec> named,
            Store store) {
        if (durability.compareTo(store.maxDurability()) > 0) {
            throw new InvalidConfigException("durability " + durability + " is stronger than the store "
                    + store.getClass().getSimpleName() + " supports (" + store.maxDurability() + ")");
        }
        if (handler instanceof TransactionalHandler.InTransaction<?> t) {
            TransactionalConsumer.check("handler", t.type(), store);
            if (ackMode != AckMode.AUTO) {
                throw new InvalidConfigException("ackMode " + ackMode + ": a transactional handler acknowledges by"
                        + " returning, in the transaction of its writes (AckMode.AUTO)");
            }
        }
        for (HandlerSpec h : named) {
            if (h.sync() instanceof TransactionalCallHandler.InTransaction<?> t) {
                TransactionalConsumer.check("handle(" + h.name() + ")", t.type(), store);
            }
        }
    }

    /** The given maximum, or the default the transport's frames allow; either must fit a frame with its overhead. */
    static int maxMessageBytes(Integer given, Transport transport) {
        int overhead = TetherConfig.FRAME_OVERHEAD;
        int maxMessage = given != null
                ? given
                : Math.min(TetherConfig.DEFAULT_MAX_MESSAGE_BYTES, transport.maxFrameBytes() - overhead);
        int needed = maxMessage + overhead;
        if (maxMessage < 1 || transport.maxFrameBytes() < needed) {
            throw new InvalidConfigException("maxMessageBytes " + maxMessage + " needs frames of " + needed
                    + " bytes but the transport carries at most " + transport.maxFrameBytes());
        }
        return maxMessage;
    }

    /** The stream limit rule {@code make} builds; its {@code IllegalArgumentException} as an invalid configuration. */
    static StreamLimitRule limitRule(Supplier<StreamLimitRule> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
    }

    /** Returns {@code p} if it is a valid allow-list pattern: a node id in which {@code *} stands for any run. */
    static String allowedPeer(String p) {
        try {
            NodeId.of(Objects.requireNonNull(p, "pattern").replace('*', 'x'));
        } catch (InvalidIdException e) {
            throw new InvalidConfigException("allowedPeers: invalid pattern: " + e.getMessage()
                    + " (a node id in which * stands for any run of characters)");
        }
        return p;
    }

    /** Returns {@code v} if it is in {@code min..max}. */
    static long inRange(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new InvalidConfigException(name + " must be in " + min + ".." + max + ", was " + v);
        }
        return v;
    }

    /** Returns {@code d} if it is positive. */
    static long atLeast1(String name, long v) {
        if (v < 1) throw new InvalidConfigException(name + " must be >= 1, was " + v);
        return v;
    }

    /** {@code initial}, checked: at least 1 ms, and {@code max} not below it. */
    static Duration retransmitTimeouts(Duration initial, Duration max) {
        Objects.requireNonNull(initial, "retransmitTimeout");
        Objects.requireNonNull(max, "maxRetransmitTimeout");
        if (initial.toMillis() < 1) throw new InvalidConfigException("retransmitTimeout must be >= 1 ms");
        if (max.compareTo(initial) < 0) {
            throw new InvalidConfigException("maxRetransmitTimeout must be >= retransmitTimeout");
        }
        return initial;
    }

    static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) throw new InvalidConfigException(name + " must be positive, was " + d);
        return d;
    }

    /** The dedup window of idempotency keys: at least a second, at most 30 days (the key store is not an archive). */
    static Duration idempotencyWindow(Duration window) {
        positive("idempotency window", window);
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(30)) > 0) {
            throw new InvalidConfigException("idempotency window must be 1 s to 30 days, was " + window);
        }
        return window;
    }

    /** How many idempotency keys a node keeps: 1 to 10,000,000. */
    static int maxIdempotencyKeys(int max) {
        if (max < 1 || max > 10_000_000) {
            throw new InvalidConfigException("maxIdempotencyKeys must be 1 to 10,000,000, was " + max);
        }
        return max;
    }

    static Store defaultStore(NodeId nodeId, Path storeDirectory) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        StoreProvider provider = DefaultStores.find(loader != null ? loader : TetherConfig.class.getClassLoader())
                .orElseThrow(() -> new InvalidConfigException("no store given and no default store on the class"
                        + " path: add tether-store-sqlite (the embedded default) or call store(...)"));
        return provider.create(nodeId, storeDirectory);
    }

    /** Event settings; {@link InvalidConfigException} if either is below 1. */
    static dev.tether.internal.call.EventSettings events(int history, int maxPending) {
        if (history < 1 || maxPending < 1) {
            throw new InvalidConfigException(
                    "events: history and maxPending must be at least 1, were " + history + " and " + maxPending);
        }
        return new dev.tether.internal.call.EventSettings(history, maxPending);
    }
}
