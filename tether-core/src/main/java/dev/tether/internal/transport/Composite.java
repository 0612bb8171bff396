package dev.tether.internal.transport;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The composite transport behind {@code dev.tether.transport.CompositeTransport}, which documents what it promises.
 *
 * <p>Threading: every member event is handled on one executor's thread (the first member's {@code nodeExecutor()},
 * else a thread of this composite's own), which owns the peers' {@link MemberSelector}s and makes every listener call.
 * An event a member makes on that thread is handled there and then, in the member's call, when none of that member's
 * earlier events is still queued and no event is being handled already on that thread ({@link #inline}): the usual
 * case for the preferred member, whose I/O thread it is, so a frame it reads reaches the node the way it would without
 * the composite, with no task between. Every other event becomes a task on the executor. The events of one member are
 * queued in the order the member made them and run in that order, and one is handled inline only once none is queued
 * before it ({@link #queued}), so each member's events for a peer keep their order. Until that executor is known
 * (members start before it can be asked for), events wait in {@link #pending}. {@link #send} reads the peer's current
 * member from a volatile field and sends on it from the caller's thread.
 */
public final class Composite implements Transport {
    private static final System.Logger LOG = System.getLogger(Composite.class.getName());

    private final Transport[] members;
    private final long stableNanos;
    private final LongSupplier clock;
    private final int maxFrameBytes;
    /**
     * Per member, the largest frame it carries now within the composite's {@link #maxFrameBytes}: that, or less if the
     * member reported less since ({@link Listener#onFrameLimit}). The composite reports it per peer, for the member that carries the peer: before each up
     * on a member, and when the carrying member's limit changes ({@link Listener#onFrameLimit(NodeId, int)}). Executor's
     * thread.
     */
    private final int[] frameLimits;

    private final Map<NodeId, Peer> peers = new ConcurrentHashMap<>();
    /** Held while a listener call is made, so that {@link #close} can wait for one in progress. */
    private final Object callLock = new Object();
    /** Member events made before the executor was known, in the order they came. Guarded by itself. */
    private final List<Runnable> pending = new ArrayList<>();

    /** Per member, its events queued as tasks (or in {@link #pending}) that have not run yet. */
    private final AtomicIntegerArray queued;
    /** The executor's thread once its first task ran (rule 9: one thread), null until then. */
    private volatile Thread dispatchThread;
    /** True while an event is handled on the executor's thread; that thread only. */
    private boolean handling;

    private final AtomicLong inlineEvents = new AtomicLong();
    private final AtomicLong droppedFrames = new AtomicLong();
    private final AtomicLong switches = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private volatile Executor dispatch;
    private volatile ScheduledExecutorService executor;
    private ScheduledThreadPoolExecutor own;
    private volatile boolean started;
    private volatile boolean closed;
    private NodeId self;
    private Listener listener;

    /** One peer's state; {@link #selector} and the timer fields belong to the executor's thread. */
    private final class Peer {
        final NodeId id;
        final MemberSelector selector = new MemberSelector(members.length, stableNanos);
        /** The proof each member gave when it last asked to admit the peer. */
        final AtomicReferenceArray<PeerProof> proofs = new AtomicReferenceArray<>(members.length);
        /**
         * Per member, how many downs of the peer it reported, counted on its own thread as the down is made: a frame
         * task that finds the count changed since the frame came belongs to an ended connection and is dropped at once,
         * so a backlog of such frames does not delay the down behind it.
         */
        final AtomicIntegerArray downs = new AtomicIntegerArray(members.length);
        /** The member {@link #send} uses: the selector's current member once its up was reported, else NONE. */
        volatile int current = MemberSelector.NONE;

        ScheduledFuture<?> timer;
        long timerAt = Long.MAX_VALUE;

        Peer(NodeId id) {
            this.id = id;
        }
    }

    /** A composite of {@code members} (checked by the caller: at least one, distinct, none null). */
    public Composite(List<Transport> members, long stableNanos, LongSupplier clock) {
        this.members = members.toArray(Transport[]::new);
        this.stableNanos = stableNanos;
        this.clock = clock;
        int max = Integer.MAX_VALUE;
        for (Transport t : this.members) max = Math.min(max, t.maxFrameBytes());
        this.maxFrameBytes = max;
        this.frameLimits = new int[this.members.length];
        java.util.Arrays.fill(frameLimits, max); // what it promised; each member carries at least that
        this.queued = new AtomicIntegerArray(this.members.length);
    }

    @Override
    public void start(NodeId self, Listener listener) {
        synchronized (this) {
            if (started || closed) throw new IllegalStateException("transport was already started or closed");
            this.self = Objects.requireNonNull(self, "self");
            this.listener = Objects.requireNonNull(listener, "listener");
            started = true;
        }
        int i = 0;
        try {
            for (; i < members.length; i++) members[i].start(self, new MemberListener(i));
        } catch (RuntimeException | Error e) {
            for (int j = i - 1; j >= 0; j--) closeQuietly(j);
            closed = true;
            throw e;
        }
        ScheduledExecutorService e = null;
        for (int m = 0; m < members.length && e == null; m++) e = members[m].nodeExecutor();
        if (e == null) e = ownExecutor(self);
        executor = e;
        synchronized (pending) {
            execute(e, () -> dispatchThread = Thread.currentThread()); // first, before the events that waited
            for (Runnable r : pending) execute(e, r);
            pending.clear();
            dispatch = e;
        }
    }

    private ScheduledExecutorService ownExecutor(NodeId self) {
        own = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tether-composite-" + self);
            t.setDaemon(true);
            return t;
        });
        own.setRemoveOnCancelPolicy(true);
        return own;
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        int size = frame.remaining();
        if (size > maxFrameBytes) {
            throw new IllegalArgumentException("frame of " + size + " bytes exceeds maxFrameBytes " + maxFrameBytes);
        }
        if (!started) throw new IllegalStateException("transport is not started");
        Peer p = peers.get(peer);
        int m = p == null || closed ? MemberSelector.NONE : p.current;
        return m != MemberSelector.NONE && members[m].send(peer, frame);
    }

    @Override
    public void flush() {
        if (!started || closed) return;
        for (Transport t : members) t.flush();
    }

    @Override
    public ScheduledExecutorService nodeExecutor() {
        return executor;
    }

    @Override
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The largest frame any member delivers. */
    @Override
    public int maxInboundFrameBytes() {
        int max = 0;
        for (Transport t : members) max = Math.max(max, t.maxInboundFrameBytes());
        return max;
    }

    /**
     * Routes the addresses (see {@link AddressRouting}), checked before any member is told; forgets the composite's
     * own refusals of the peer.
     */
    @Override
    public void connect(NodeId peer, List<String> addresses) {
        List<List<String>> routed = AddressRouting.route(addresses, members.length);
        if (!started) throw new IllegalStateException("transport is not started");
        if (closed) return;
        for (int m = 0; m < members.length; m++) members[m].connect(peer, routed.get(m));
        submit(() -> step(peer, MemberSelector::forgetRefusals));
    }

    @Override
    public void disconnect(NodeId peer) {
        if (!started || closed) return;
        for (Transport t : members) t.disconnect(peer);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        synchronized (callLock) {
            // Barrier: a listener call in progress ends before close returns; later ones see closed.
        }
        RuntimeException failure = null;
        for (int m = members.length - 1; m >= 0; m--) {
            try {
                members[m].close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        stopOwnExecutor();
        if (failure != null) throw failure;
    }

    private void stopOwnExecutor() {
        ScheduledThreadPoolExecutor e = own;
        if (e == null) return;
        e.shutdownNow();
        if (Thread.currentThread().getName().equals("tether-composite-" + self)) return;
        boolean interrupted = false;
        try {
            while (!e.awaitTermination(1, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "composite transport of " + self + ": its thread has not ended yet");
            }
        } catch (InterruptedException ie) {
            interrupted = true;
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** The member carrying {@code peer} (0 the most preferred), or -1 if it is down. */
    public int currentMember(NodeId peer) {
        Peer p = peers.get(peer);
        return p == null ? MemberSelector.NONE : p.current;
    }

    /** Frames dropped because they came on a member that was not carrying their peer at the time. */
    public long droppedFrames() {
        return droppedFrames.get();
    }

    /** {@link #droppedFrames()} plus the frames the members fenced themselves ({@link Transport#fencedFrames()}). */
    @Override
    public long fencedFrames() {
        long fenced = droppedFrames.get();
        for (Transport m : members) fenced += m.fencedFrames();
        return fenced;
    }

    /** How many times a peer moved from one member to another (a down and an up reported). */
    public long switches() {
        return switches.get();
    }

    /** Member events handled in the member's own call on the executor's thread, not queued as a task. */
    public long inlineEvents() {
        return inlineEvents.get();
    }

    /** How many listener calls threw. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    // ---- on the executor

    private void step(NodeId id, Function<MemberSelector, MemberSelector.Switch> input) {
        if (closed) return;
        Peer p = peer(id);
        apply(p, input.apply(p.selector));
        scheduleCheck(p);
    }

    /** Reports a switch to the listener: down for the left member, admission and up for the new one. */
    private void apply(Peer p, MemberSelector.Switch s) {
        while (s.changed()) {
            if (s.from() != MemberSelector.NONE) {
                p.current = MemberSelector.NONE;
                call(() -> listener.onPeerDown(p.id), "down", p.id);
            }
            if (s.to() == MemberSelector.NONE) return;
            PeerProof proof = p.proofs.get(s.to());
            String refusal = admit(p.id, proof == null ? PeerProof.NONE : proof);
            if (refusal == null) {
                if (s.from() != MemberSelector.NONE) switches.incrementAndGet();
                p.current = s.to();
                int limit = frameLimits[s.to()]; // the frames the node builds for the peer from now on fit its member
                call(() -> listener.onFrameLimit(p.id, limit), "frame limit", p.id);
                call(() -> listener.onPeerUp(p.id), "up", p.id);
                return;
            }
            call(() -> listener.onConnectionRejected(p.id.value(), refusal), "rejection", p.id);
            s = p.selector.refused(s.to());
        }
    }

    private void scheduleCheck(Peer p) {
        long at = p.selector.nextCheckAt();
        if (at == Long.MAX_VALUE || (p.timer != null && p.timerAt <= at)) return;
        if (p.timer != null) p.timer.cancel(false);
        p.timerAt = at;
        try {
            p.timer = executor.schedule(() -> tick(p), Math.max(0, at - clock.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            p.timer = null;
        }
    }

    private void tick(Peer p) {
        p.timer = null;
        p.timerAt = Long.MAX_VALUE;
        if (closed) return;
        apply(p, p.selector.tick(clock.getAsLong()));
        scheduleCheck(p);
    }

    private void frame(int member, Peer p, int downs, ByteBuffer frame) {
        if (!carries(member, p, downs, 1)) return;
        synchronized (callLock) {
            if (closed) return;
            try {
                listener.onFrame(p.id, frame);
            } catch (RuntimeException | Error t) {
                failed(t, "frame", p.id);
            }
        }
    }

    /** The frames of one read of {@code member}, passed on as one call ({@link Listener#onFrames}). */
    private void frames(int member, Peer p, int downs, List<ByteBuffer> frames) {
        if (!carries(member, p, downs, frames.size())) return;
        synchronized (callLock) {
            if (closed) return;
            try {
                listener.onFrames(p.id, frames);
            } catch (RuntimeException | Error t) {
                failed(t, "frames", p.id);
            }
        }
    }

    /**
     * Whether {@code member} still carries {@code p} as it did when its {@code count} frames arrived (no down since);
     * counts them dropped if not.
     */
    private boolean carries(int member, Peer p, int downs, int count) {
        if (p.current == member && p.downs.get(member) == downs && !closed) return true;
        droppedFrames.addAndGet(count);
        return false;
    }

    private Peer peer(NodeId id) {
        return peers.computeIfAbsent(id, Peer::new);
    }

    private String admit(NodeId peer, PeerProof proof) {
        try {
            return listener.admit(peer, proof);
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
            LOG.log(Level.ERROR, "listener of " + self + " threw asked to admit " + peer, e);
            return "the node failed to decide whether to admit " + peer + ": " + e;
        }
    }

    /**
     * Makes a listener call on the executor's thread; a member event that call causes on this thread is queued, not
     * handled inside it ({@link #inline}).
     */
    private void call(Runnable call, String what, NodeId peer) {
        boolean was = handling;
        handling = true;
        try {
            synchronized (callLock) {
                if (closed) return;
                try {
                    call.run();
                } catch (RuntimeException | Error t) {
                    failed(t, what, peer);
                }
            }
        } finally {
            handling = was;
        }
    }

    private void failed(Throwable t, String what, NodeId peer) {
        long n = listenerFailures.incrementAndGet();
        LOG.log(
                Level.ERROR,
                "listener of " + self + " threw on " + what + " of " + peer + " (failure " + n
                        + "); the composite continues",
                t);
    }

    // ---- from the members' threads

    /**
     * Handles member {@code m}'s event {@code r} now, if this is the executor's thread, no earlier event of that member
     * is queued and no other event is being handled on this thread (a listener call that made a member report
     * something synchronously); otherwise queues it behind the member's earlier ones.
     */
    private void inline(int m, Runnable r) {
        if (inlineNow(m)) {
            handling = true;
            try {
                r.run();
            } finally {
                handling = false;
            }
        } else {
            queue(m, r);
        }
    }

    /** Whether member {@code m}'s event made now on this thread may be handled in the member's call. */
    private boolean inlineNow(int m) {
        if (Thread.currentThread() != dispatchThread || handling || queued.get(m) != 0) return false;
        inlineEvents.incrementAndGet();
        return true;
    }

    private void queue(int m, Runnable r) {
        queued.incrementAndGet(m);
        submit(() -> {
            queued.decrementAndGet(m);
            handling = true;
            try {
                r.run();
            } finally {
                handling = false;
            }
        });
    }

    private void submit(Runnable r) {
        Executor d = dispatch;
        if (d == null) {
            synchronized (pending) {
                d = dispatch;
                if (d == null) {
                    pending.add(r);
                    return;
                }
            }
        }
        execute(d, r);
    }

    private void execute(Executor e, Runnable r) {
        try {
            e.execute(r);
        } catch (RejectedExecutionException closing) {
            // The executor stops only when this composite closes: no listener call is due any more.
        }
    }

    private void closeQuietly(int m) {
        try {
            members[m].close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing member " + m + " of a composite that failed to start", e);
        }
    }

    /** {@link #frame} or {@link #frames}, for what member {@code member} read while carrying {@code p} ({@code downs}). */
    @FunctionalInterface
    private interface FrameHandler<T> {
        void handle(int member, Peer p, int downs, T frames);
    }

    /** Hands member {@code index}'s events to the composite's executor ({@link #inline}). */
    private final class MemberListener implements Listener {
        private final int index;
        // made once: a method reference made per frame would allocate on the inline path
        private final FrameHandler<ByteBuffer> oneFrame = Composite.this::frame;
        private final FrameHandler<List<ByteBuffer>> severalFrames = Composite.this::frames;

        MemberListener(int index) {
            this.index = index;
        }

        @Override
        public void onPeerUp(NodeId peer) {
            inline(index, () -> step(peer, s -> s.memberUp(index, clock.getAsLong())));
        }

        @Override
        public void onPeerDown(NodeId peer) {
            peer(peer).downs.incrementAndGet(index);
            inline(index, () -> step(peer, s -> s.memberDown(index)));
        }

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {
            receive(from, frame, oneFrame);
        }

        @Override
        public void onFrames(NodeId from, List<ByteBuffer> frames) {
            receive(from, frames, severalFrames);
        }

        /** Handles what came in this call when it may (rule 6), else queues it behind the member's earlier events. */
        private <T> void receive(NodeId from, T frames, FrameHandler<T> handler) {
            Peer p = peer(from);
            int downs = p.downs.get(index);
            if (!inlineNow(index)) {
                queue(index, () -> handler.handle(index, p, downs, frames));
                return;
            }
            handling = true; // the inline path allocates nothing of the composite's own
            try {
                handler.handle(index, p, downs, frames);
            } finally {
                handling = false;
            }
        }

        @Override
        public void onConnectionRejected(String remote, String reason) {
            inline(index, () -> call(() -> listener.onConnectionRejected(remote, reason), "rejection", null));
        }

        @Override
        public void onFrameLimit(int bytes) {
            inline(index, () -> {
                int limit = Math.min(bytes, maxFrameBytes); // at most what the composite promised (Listener rule)
                frameLimits[index] = limit;
                for (Peer p : peers.values()) {
                    if (p.current == index) call(() -> listener.onFrameLimit(p.id, limit), "frame limit", p.id);
                }
            });
        }

        @Override
        public String admit(NodeId peer, PeerProof proof) {
            if (closed) return "the transport is closing";
            String refusal = Composite.this.admit(peer, proof);
            if (refusal == null) peer(peer).proofs.set(index, proof);
            return refusal;
        }
    }
}
