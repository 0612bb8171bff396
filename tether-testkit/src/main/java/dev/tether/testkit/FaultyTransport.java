package dev.tether.testkit;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} decorator for real-time tests that injects faults into outgoing frames: drops,
 * duplicates, reordering (a frame is held back and sent right after the next frame to the same peer) and
 * delays (a random time up to a maximum, on one daemon scheduler thread). {@link #setPartitioned} drops
 * every frame. Incoming frames and peer events pass through untouched.
 *
 * <p>Faults keep frames whole: held and delayed frames are copied, so callers may still reuse their buffers.
 * A frame a fault drops, holds or delays counts as accepted ({@link #send} returns true), as if lost in
 * flight; a held or delayed frame is sent later only if the connection it was sent on is still up (rule 4 of
 * {@link Transport}: a frame never crosses into a later connection). Frames larger than the
 * delegate's {@link #maxFrameBytes()} bypass the faults, so the delegate rejects them its own way.
 *
 * <p>Threading: thread-safe. Fault decisions come from one {@link Random} seeded by {@link Builder#seed}; a
 * single thread sending the same frames gets the same faults for the same seed.
 */
public final class FaultyTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(FaultyTransport.class.getName());

    private final Transport delegate;
    private final long seed;
    private final Random random;
    private final double dropRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final double delayRate;
    private final long maxDelayNanos;
    private final ScheduledExecutorService scheduler;
    /** The frame held back for each peer, with its connection. Guarded by itself. */
    private final Map<NodeId, Held> heldBack = new HashMap<>();
    /** Connections seen per peer: a down event ends one. Frames tagged with an older one are dropped. */
    private final Map<NodeId, AtomicLong> connections = new java.util.concurrent.ConcurrentHashMap<>();

    private record Held(ByteBuffer frame, long connection) {}

    private final AtomicLong drops = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong reorders = new AtomicLong();
    private final AtomicLong delays = new AtomicLong();
    private final AtomicLong partitionDrops = new AtomicLong();
    private final AtomicLong staleDrops = new AtomicLong();
    private volatile boolean partitioned;

    private FaultyTransport(Builder b) {
        this.delegate = b.delegate;
        this.seed = b.seed;
        this.random = new Random(b.seed);
        this.dropRate = b.dropRate;
        this.duplicateRate = b.duplicateRate;
        this.reorderRate = b.reorderRate;
        this.delayRate = b.delayRate;
        this.maxDelayNanos = b.maxDelay.toNanos();
        this.scheduler = b.delayRate > 0
                ? Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "tether-faulty-transport-delay");
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    /** A builder wrapping {@code delegate}, with no faults and a random seed. */
    public static Builder builder(Transport delegate) {
        return new Builder(delegate);
    }

    @Override
    public void start(NodeId self, Listener listener) {
        delegate.start(self, new Listener() {
            @Override
            public void onPeerUp(NodeId peer) {
                listener.onPeerUp(peer);
            }

            @Override
            public void onPeerDown(NodeId peer) {
                connection(peer).incrementAndGet();
                listener.onPeerDown(peer);
            }

            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {
                listener.onFrame(from, frame);
            }
        });
    }

    private AtomicLong connection(NodeId peer) {
        return connections.computeIfAbsent(peer, p -> new AtomicLong());
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        if (frame.remaining() > delegate.maxFrameBytes()) return delegate.send(peer, frame);
        if (partitioned) {
            partitionDrops.incrementAndGet();
            return true;
        }
        if (roll(dropRate)) {
            drops.incrementAndGet();
            return true;
        }
        boolean accepted = transmit(peer, frame);
        if (roll(duplicateRate)) {
            duplicates.incrementAndGet();
            transmit(peer, frame);
        }
        return accepted;
    }

    private boolean transmit(NodeId peer, ByteBuffer frame) {
        if (roll(delayRate)) {
            delays.incrementAndGet();
            ByteBuffer copy = copy(frame);
            long delay = (long) (random.nextDouble() * maxDelayNanos);
            long conn = connection(peer).get();
            try {
                scheduler.schedule(() -> sendLater(peer, copy, conn), delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closed) {
                return false;
            }
            return true;
        }
        Held released;
        synchronized (heldBack) {
            released = heldBack.remove(peer);
            if (released == null && roll(reorderRate)) {
                reorders.incrementAndGet();
                heldBack.put(peer, new Held(copy(frame), connection(peer).get()));
                return true;
            }
        }
        boolean accepted = delegate.send(peer, frame.duplicate());
        if (released != null) sendLater(peer, released.frame(), released.connection());
        return accepted;
    }

    private void sendLater(NodeId peer, ByteBuffer frame, long conn) {
        if (connection(peer).get() != conn) {
            staleDrops.incrementAndGet();
            return;
        }
        try {
            delegate.send(peer, frame);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "delayed send to " + peer + " failed; the frame is lost", e);
        }
    }

    private boolean roll(double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    private static ByteBuffer copy(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(frame.position(), bytes);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public int maxFrameBytes() {
        return delegate.maxFrameBytes();
    }

    /** Drops pending delayed and held frames, then closes the delegate. Idempotent. */
    @Override
    public void close() {
        if (scheduler != null) scheduler.shutdownNow();
        synchronized (heldBack) {
            heldBack.clear();
        }
        delegate.close();
    }

    /** While true, every outgoing frame is dropped (peers are not told; frames just stop arriving). */
    public void setPartitioned(boolean partitioned) {
        this.partitioned = partitioned;
    }

    /** The seed of the fault decisions, for replaying a failing run. */
    public long seed() {
        return seed;
    }

    /** Frames dropped by the drop rate. */
    public long drops() {
        return drops.get();
    }

    /** Frames sent twice. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Frames held back to be sent after the next frame to their peer. */
    public long reorders() {
        return reorders.get();
    }

    /** Frames delayed. */
    public long delays() {
        return delays.get();
    }

    /** Held or delayed frames dropped because their connection ended before their turn came. */
    public long staleDrops() {
        return staleDrops.get();
    }

    /** Frames dropped because the transport was partitioned. */
    public long partitionDrops() {
        return partitionDrops.get();
    }

    /** Configures a {@link FaultyTransport}; every rate is a probability per frame in [0, 1], default 0. */
    public static final class Builder {
        private final Transport delegate;
        private long seed = new Random().nextLong();
        private double dropRate;
        private double duplicateRate;
        private double reorderRate;
        private double delayRate;
        private Duration maxDelay = Duration.ZERO;

        private Builder(Transport delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder drop(double rate) {
            this.dropRate = rate("drop", rate);
            return this;
        }

        public Builder duplicate(double rate) {
            this.duplicateRate = rate("duplicate", rate);
            return this;
        }

        public Builder reorder(double rate) {
            this.reorderRate = rate("reorder", rate);
            return this;
        }

        /** Delays a frame with probability {@code rate} by a uniformly random time below {@code max}. */
        public Builder delay(double rate, Duration max) {
            if (max.isNegative()) throw new IllegalArgumentException("max delay must not be negative: " + max);
            this.delayRate = rate("delay", rate);
            this.maxDelay = max;
            return this;
        }

        public FaultyTransport build() {
            return new FaultyTransport(this);
        }

        private static double rate(String what, double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(what + " rate must be in [0, 1], was " + rate);
            }
            return rate;
        }
    }
}
