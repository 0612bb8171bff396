package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherEvent.Overflow.What;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EventThrottle;
import dev.tether.internal.engine.OutboundRef;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.OutboundState;
import dev.tether.spi.StoredState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Per-stream send admission (docs/BUS-DESIGN.md, E9): the room each outbound stream has left under its limit,
 * reserved on the caller's thread before a send is posted, so a full stream refuses at once and the bound is exact
 * under concurrent senders.
 *
 * <p>A {@link Room}'s {@code held} counts the messages of its stream that callers reserved and the node thread has
 * not handed to the engine yet, plus those the engine holds (waiting for a batch, stored and not acknowledged:
 * {@link Engine#unacked}) as the node thread last {@linkplain #reconcile accounted} them. Callers only add to it (a
 * compare-and-set below the limit); the node thread hands reservations over ({@link #entered}) and, at the end of
 * each turn, sets the engine's part to the engine's count for the streams something happened on (acknowledged,
 * expired, purged, rejected by the store, lost), which releases room and wakes blocked senders. So the only lag is
 * one turn, and always on the safe side: room is released after the engine let go of the message, never before.
 */
final class SendRooms {
    private final ConcurrentHashMap<StreamKey, Room> rooms = new ConcurrentHashMap<>();
    /**
     * The same rooms by peer and lane, so that a send finds its stream's room without a key object ({@link
     * #room(NodeId, String)}); rooms are never removed, so neither are these.
     */
    private final ConcurrentHashMap<NodeId, ConcurrentHashMap<String, Room>> byPeer = new ConcurrentHashMap<>();

    private final Function<StreamKey, StreamLimits> limits;
    /** Rooms with refusals or drops not reported yet; callers add, the node thread reports. */
    private final ConcurrentLinkedQueue<Room> toReport = new ConcurrentLinkedQueue<>();
    /** Overflow reports, rate-limited as protocol errors are; node thread only. */
    private final EventThrottle<Report, TetherEvent.Overflow> reports = new EventThrottle<>((r, reason, suppressed) ->
            new TetherEvent.Overflow(r.key.peer(), r.key.lane(), r.limits.policy(), r.what, r.count, suppressed));

    /** What one report says. */
    private record Report(StreamKey key, StreamLimits limits, What what, long count) {}
    /** Set when the node stops: waiting senders give up (and find the node closed). */
    private volatile boolean closed;
    /** Rooms whose stream changed in this turn; node thread only. */
    private final List<Room> dirty = new ArrayList<>();
    /** Rooms reserved by routed copies the engine took since the last store batch was cut; node thread only. */
    private final List<Room> routedPending = new ArrayList<>();

    /**
     * Rooms of the streams {@code state} holds messages on start full with them (the engine starts from the same
     * state); {@code limits} gives a new stream's limits.
     */
    SendRooms(StoredState state, Function<StreamKey, StreamLimits> limits) {
        this.limits = limits;
        for (OutboundState s : state.outbound()) {
            long n = s.lastSeq() - s.ackedSeq();
            if (n <= 0) continue;
            Room r = room(new StreamKey(s.to(), s.lane()));
            r.held = n;
            r.accounted = n;
        }
    }

    /** The room of {@code key}, made on first use; any thread. */
    Room room(StreamKey key) {
        Room r = rooms.get(key);
        return r != null ? r : rooms.computeIfAbsent(key, k -> new Room(k, limits.apply(k)));
    }

    /** The room of the stream to {@code to} on {@code lane}, made on first use; any thread, no object per call. */
    Room room(NodeId to, String lane) {
        ConcurrentHashMap<String, Room> lanes = byPeer.get(to);
        Room r = lanes == null ? null : lanes.get(lane);
        if (r != null) return r;
        r = room(new StreamKey(to, lane));
        byPeer.computeIfAbsent(to, k -> new ConcurrentHashMap<>()).putIfAbsent(lane, r); // the same room, if raced
        return r;
    }

    /** The room of {@code key} if a send ever used it, else null; any thread. */
    Room existing(StreamKey key) {
        return rooms.get(key);
    }

    /** Whether a sender blocked on a stream to a peer gives up: the peer is no longer known (it was removed). */
    private volatile Predicate<NodeId> refused = p -> false;

    /** Sets which peers' blocked senders give up ({@link #refused}); before the first send. */
    void refuseWaitsFor(Predicate<NodeId> unknown) {
        refused = unknown;
    }

    /** {@code peer} was removed: wakes the senders blocked on its streams, which give up ({@link #refused}). */
    void wake(NodeId peer) {
        for (Room r : rooms.values()) if (r.key.peer().equals(peer)) r.wake();
    }

    /** The node is stopping: wakes every waiting sender, and none waits from now on. */
    void close() {
        closed = true;
        for (Room r : rooms.values()) r.wake();
    }

    /** Node thread: a reserved send reached the engine; its message is the engine's to count from now on. */
    void entered(Room r) {
        r.accounted++;
        mark(r);
    }

    /**
     * Node thread: routed copies holding {@code taken} were handed to the engine (RouteRooms): they are in the next
     * store batch, and their rooms the engine's to count from then on.
     */
    void enterAtNextBatch(List<Room> taken) {
        routedPending.addAll(taken);
    }

    /** Node thread: a store batch was cut; the routed copies handed to the engine before it are counted by it now. */
    void batchCut() {
        if (routedPending.isEmpty()) return;
        for (Room r : routedPending) entered(r);
        routedPending.clear();
    }

    /** Node thread: something happened on stream {@code key} that may have changed what the engine holds. */
    void changed(StreamKey key) {
        Room r = rooms.get(key);
        if (r != null) mark(r);
    }

    /** Node thread: as {@link #changed}, for a room already at hand. */
    void mark(Room r) {
        if (r.dirty) return;
        r.dirty = true;
        dirty.add(r);
    }

    /**
     * Node thread, at the end of a turn: every changed room takes the engine's count, releasing what it let go; then
     * refusals and drops since the last turn are reported to {@code emit}, as far as the rate limit allows.
     */
    void endOfTurn(long now, Engine engine, Consumer<TetherEvent> emit) {
        // Routed rooms handed over while the engine has nothing to store: their settlement stored nothing (a failed
        // attempt to retry), so no batch will count them; counted now, reconcile releases them (else a quiet node
        // kept them until some unrelated write, and the retry's own route found its target full).
        if (!routedPending.isEmpty() && engine.storeIdle()) batchCut();
        reconcile(engine);
        for (Room r = toReport.poll(); r != null; r = toReport.poll()) {
            Overflows o = r.overflows;
            o.queued.set(false); // before reading: a count added from now on queues the room again
            for (What w : What.values()) {
                long n = o.unreported[w.ordinal()].getAndSet(0);
                if (n == 0) continue;
                TetherEvent.Overflow e = reports.offer(now, new Report(r.key, r.limits, w, n), "");
                if (e != null) emit.accept(e);
            }
        }
        TetherEvent.Overflow held = reports.flush(now);
        if (held != null) emit.accept(held);
    }

    /** Outbound {@code streams} with their rooms' counters; node thread. */
    List<StreamStats> withCounters(List<StreamStats> streams) {
        List<StreamStats> l = new ArrayList<>(streams.size());
        for (StreamStats s : streams) {
            Room r = s.direction() == StreamStats.Direction.OUTBOUND
                    ? rooms.get(new StreamKey(s.peer(), s.lane()))
                    : null;
            l.add(r == null ? s : s.withAdmission(r.rejected(), r.dropped(), r.waiting()));
        }
        return l;
    }

    /** {rejected, dropped, waiting now} over every room, for the node's totals; any thread. */
    long[] totals() {
        long[] t = new long[3];
        for (Room r : rooms.values()) {
            t[0] += r.rejected();
            t[1] += r.dropped();
            t[2] += r.waiting();
        }
        return t;
    }

    private void reconcile(Engine engine) {
        if (dirty.isEmpty()) return;
        for (Room r : dirty) {
            r.dirty = false;
            long now = r.stream != null ? r.stream.unacked() : engine.outbound().unacked(r.key);
            long delta = now - r.accounted;
            r.accounted = now;
            if (delta != 0) r.add(delta);
        }
        dirty.clear();
    }

    /**
     * One stream's room. {@code held} is read and raised by callers on any thread and set by the node thread;
     * senders waiting for room ({@link #take(long)}) queue in its {@link ArrivalLine}. Most streams never overflow
     * and never make a sender wait, so the counters of overflows and the line are made when first needed: a room
     * is one small object per stream that ever sent.
     */
    final class Room {
        private static final VarHandle HELD, INPUT, OVERFLOWS, LINE;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                HELD = l.findVarHandle(Room.class, "held", long.class);
                INPUT = l.findVarHandle(Room.class, "input", int.class);
                OVERFLOWS = l.findVarHandle(Room.class, "overflows", Overflows.class);
                LINE = l.findVarHandle(Room.class, "line", ArrivalLine.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final StreamKey key;
        final StreamLimits limits;
        /** Messages this stream may hold at most. */
        final long limit;

        /** Changed through {@code HELD} (compare-and-set, add), read plainly: it is volatile. */
        private volatile long held;
        /**
         * This stream's sends in the node loop's input ({@link LeveledInput}), times 8, plus the level they wait at:
         * one word, so that a send joins the level of its stream's queued sends atomically ({@link #enterInput}). Only
         * sends posted by level count here ({@link SendInput}); before a node's first send of another level, none.
         */
        private volatile int input;
        /** Refusals and drops; null until the first. */
        private volatile Overflows overflows;
        /** Blocked senders, in arrival order; null until a sender first has to wait. */
        private volatile ArrivalLine line;
        /** The engine's part of {@code held}; node thread only. */
        long accounted;
        /** Queued in {@link #dirty} for this turn's reconcile; node thread only. */
        boolean dirty;
        /** The engine's stream of {@link #key}, once a send found it ({@link #resolved}); node thread only. */
        OutboundRef stream;

        Room(StreamKey key, StreamLimits limits) {
            this.key = key;
            this.limits = limits;
            this.limit = limits.maxMessages();
        }

        /**
         * Node thread: {@code s} is the engine's stream of this room's key, for good; each later send and acknowledgment
         * of it goes from one to the other without a lookup.
         */
        void resolved(OutboundRef s) {
            if (s == null || stream != null) return;
            stream = s;
            s.attach(this);
        }

        /** Messages held now: reserved by callers plus the engine's part as last accounted; any thread. */
        long held() {
            return held;
        }

        /** Sends refused for want of room (or timed out waiting for it) so far; any thread. */
        long rejected() {
            Overflows o = overflows;
            return o == null ? 0 : o.rejected.get();
        }

        /** Messages dropped by the overflow policy so far; any thread. */
        long dropped() {
            Overflows o = overflows;
            return o == null ? 0 : o.dropped.get();
        }

        /**
         * Any thread: a send of {@code level} enters the node loop's input; returns the level it must wait at there.
         * That is its own if none of this stream's sends waits there, else theirs: one stream's sends never overtake
         * one another in the input (a send queued behind its stream's lower sends waits at their level).
         */
        int enterInput(int level) {
            while (true) {
                int s = input;
                int at = s >>> 3 == 0 ? level : s & 7;
                if (INPUT.compareAndSet(this, s, (s & ~7) + 8 | at)) return at;
            }
        }

        /** Node thread (or whoever refuses it): a send of this stream left the node loop's input. */
        void leftInput() {
            INPUT.getAndAdd(this, -8);
        }

        /** A send found this stream full and was {@code what}: counted now, reported by the node thread. */
        void overflowed(What what) {
            Overflows o = overflows();
            (what == What.DROPPED_NEWEST || what == What.DROPPED_OLDEST ? o.dropped : o.rejected).incrementAndGet();
            o.unreported[what.ordinal()].incrementAndGet();
            if (o.queued.compareAndSet(false, true)) toReport.add(this);
        }

        private Overflows overflows() {
            Overflows o = overflows;
            if (o != null) return o;
            Overflows made = new Overflows();
            Overflows won = (Overflows) OVERFLOWS.compareAndExchange(this, (Overflows) null, made);
            return won == null ? made : won;
        }

        /**
         * Takes room for one message if there is some and nobody is waiting for it (blocked senders go first, in
         * arrival order); never waits.
         */
        boolean tryTake() {
            return waiting() == 0 && cas();
        }

        private boolean cas() {
            for (; ; ) {
                long h = held();
                if (h >= limit) return false;
                if (HELD.compareAndSet(this, h, h + 1)) return true;
            }
        }

        /**
         * Takes room for one message, waiting up to {@code nanos} behind the senders that waited first; false if
         * none came in time.
         *
         * @throws InterruptedException if interrupted while waiting (nothing taken; the next in line moves up)
         */
        boolean take(long nanos) throws InterruptedException {
            if (tryTake()) return true;
            return nanos > 0 && line().take(nanos, this::cas);
        }

        /**
         * The line, made by the first sender that has to wait. A release that read no line before this one was
         * published is seen by the new waiter's first try, which comes after (both are volatile).
         */
        private ArrivalLine line() {
            ArrivalLine l = line;
            if (l != null) return l;
            ArrivalLine made = new ArrivalLine(() -> closed || refused.test(key.peer()));
            ArrivalLine won = (ArrivalLine) LINE.compareAndExchange(this, (ArrivalLine) null, made);
            return won == null ? made : won;
        }

        /**
         * Takes room for one message beyond the limit, for a send whose policy makes room on the node thread
         * (DROP_OLDEST); never waits. Held above the limit until the node thread dropped a message or refused the
         * send; any thread.
         */
        void takeOverLimit() {
            HELD.getAndAdd(this, 1L);
        }

        /** Gives back a reservation that never reached the engine (the node stopped first); any thread. */
        void giveBack() {
            add(-1);
        }

        /** Senders waiting for room now. */
        int waiting() {
            ArrivalLine l = line;
            return l == null ? 0 : l.waiting();
        }

        /** Wakes the waiting senders, if any. */
        void wake() {
            ArrivalLine l = line;
            if (l != null && l.waiting() > 0) l.wake();
        }

        private void add(long delta) {
            HELD.getAndAdd(this, delta);
            if (delta < 0) wake(); // reads the line after the release: a waiter that missed it sees it
        }
    }

    /** A room's counts of refusals and drops, made at its first. */
    private static final class Overflows {
        final AtomicLong rejected = new AtomicLong(), dropped = new AtomicLong();
        /** Counts per {@link What} not reported yet, and whether the room is in {@code toReport}. */
        final AtomicLong[] unreported = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};

        final AtomicBoolean queued = new AtomicBoolean();
    }

    /** {@code nanos} as a duration for messages: "2 s", "150 ms". */
    static String waited(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        return ms >= 1000 && ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
