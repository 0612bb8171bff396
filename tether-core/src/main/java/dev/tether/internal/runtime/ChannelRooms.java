package dev.tether.internal.runtime;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.OverflowPolicy;
import dev.tether.TetherEvent;
import dev.tether.TetherEvent.Overflow.What;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EventThrottle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Publish admission for this node's channel logs that refuse or wait when full ({@link
 * ChannelOptions.WhenFull#REJECT}, {@link ChannelOptions.WhenFull#BLOCK}): the room each log has left under its
 * count and byte limits, reserved on the publisher's thread before the publish is posted, so that a BLOCK publish
 * waits there (never on the node thread) and an {@code offerPublish} knows at once. The channel counterpart of
 * {@link SendRooms}, with the same accounting: a {@link Room} holds what callers reserved and the node thread has not
 * handed to the engine yet, plus what the engine holds as the node thread last accounted it ({@link
 * Engine#logHeld}: stored, being stored, queued); at the end of every turn the engine's part is set to the engine's
 * count, which releases the room readers freed (the log trimmed behind them) and wakes waiting publishers in arrival
 * order. The lag is one turn, on the safe side. Routed copies (effects) are never refused: the engine counts them,
 * and they take room from later publishes. The engine still refuses a publish that finds the log full (a limit
 * lowered meanwhile), through its future. Thread-safe.
 */
final class ChannelRooms {
    private final NodeId self;
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Room> toReport = new ConcurrentLinkedQueue<>();
    private final EventThrottle<Report, TetherEvent.Overflow> reports = new EventThrottle<>((r, reason, suppressed) ->
            new TetherEvent.Overflow(r.self, Channels.lane(r.channel), r.policy, r.what, r.count, suppressed));
    /** Set when the node stops: waiting publishers give up (and find the node closed). */
    private volatile boolean closed;

    private record Report(NodeId self, String channel, OverflowPolicy policy, What what, long count) {}

    ChannelRooms(NodeId self) {
        this.self = self;
    }

    /**
     * Any thread, before the options reach the node thread: the room of {@code channel} takes {@code options}' limits
     * (made now if it has none); publishes from now on are admitted by them. Returns it for {@link #sync}.
     */
    Room options(String channel, ChannelOptions options) {
        Room r = rooms.computeIfAbsent(channel, Room::new);
        r.options = options;
        r.wakeAll(); // a raised limit or another policy may let waiting publishes through
        return r;
    }

    /** The room of {@code channel}, or null if its log has no options (nothing to admit by). */
    Room room(String channel) {
        return rooms.get(channel);
    }

    /** The node is stopping: wakes every waiting publisher, and none waits from now on. */
    void close() {
        closed = true;
        for (Room r : rooms.values()) r.wakeAll();
    }

    /**
     * Node thread, at the end of a turn: every room takes the engine's count of its log, releasing what readers freed;
     * then refusals since the last turn are reported to {@code emit}, as far as the rate limit allows.
     */
    void endOfTurn(long now, Engine engine, Consumer<TetherEvent> emit) {
        for (Room r : rooms.values()) r.sync(engine);
        for (Room r = toReport.poll(); r != null; r = toReport.poll()) {
            r.queued.set(false); // before reading: a count added from now on queues the room again
            for (What w : new What[] {What.REJECTED, What.TIMED_OUT}) {
                long n = r.unreported[w.ordinal()].getAndSet(0);
                if (n == 0) continue;
                TetherEvent.Overflow e = reports.offer(now, new Report(self, r.channel, r.policy(), w, n), "");
                if (e != null) emit.accept(e);
            }
        }
        TetherEvent.Overflow held = reports.flush(now);
        if (held != null) emit.accept(held);
    }

    /** {publishes refused (at once or after waiting), publishers waiting now} over every log; any thread. */
    long[] totals() {
        long[] t = new long[2];
        for (Room r : rooms.values()) {
            t[0] += r.rejected.get();
            t[1] += r.line.waiting();
        }
        return t;
    }

    /** What {@link #forEach} reports of each room. */
    interface RoomCounts {
        void counts(String channel, long rejected, int waiting);
    }

    /** Each log's refusals and waiting publishers; any thread. */
    void forEach(RoomCounts to) {
        for (Room r : rooms.values()) to.counts(r.channel, r.rejected.get(), r.line.waiting());
    }

    /**
     * One log's room. {@code held} and {@code heldBytes} change under its {@link ArrivalLine}'s lock (callers reserve,
     * the node thread adds the engine's changes); publishers waiting for room queue in that line.
     */
    final class Room {
        final String channel;
        volatile ChannelOptions options = ChannelOptions.unlimited();
        /** Publishes refused for want of room: at once, after waiting, or by the engine. */
        final AtomicLong rejected = new AtomicLong();

        private final AtomicLong[] unreported = new AtomicLong[What.values().length];
        private final AtomicBoolean queued = new AtomicBoolean();
        /** Waiting publishers, in arrival order; its lock guards {@code held} and {@code heldBytes}. */
        private final ArrivalLine line = new ArrivalLine(() -> closed);
        /** Messages and payload bytes reserved or held by the engine; under the line's lock. */
        private long held, heldBytes;
        /** The engine's part of them; node thread only. */
        private long accounted, accountedBytes;

        Room(String channel) {
            this.channel = channel;
            for (int i = 0; i < unreported.length; i++) unreported[i] = new AtomicLong();
        }

        /** The policy as an overflow report names it: REJECT, or BLOCK with its wait. */
        OverflowPolicy policy() {
            ChannelOptions o = options;
            return o.whenFull() == ChannelOptions.WhenFull.BLOCK
                    ? OverflowPolicy.block(o.maxWait())
                    : OverflowPolicy.REJECT;
        }

        /**
         * Reserves room for one publish of {@code bytes} payload bytes, waiting up to {@code nanos} behind the
         * publishers that waited first (0: not at all); false, with nothing reserved, if none came in time or the node
         * stopped. A log without a refusing limit always has room (counted all the same).
         *
         * @throws InterruptedException if interrupted while waiting (nothing reserved; the next in line moves up)
         */
        boolean take(long bytes, long nanos) throws InterruptedException {
            return line.take(nanos, () -> fits(bytes) && reserve(bytes));
        }

        /** Whether a publish of {@code bytes} fits now, nobody waiting ahead of it; any thread (a snapshot). */
        boolean hasRoom(long bytes) {
            return line.locked(() -> line.waiting() == 0 && fits(bytes));
        }

        private boolean fits(long bytes) {
            ChannelOptions o = options;
            return !o.refusesWhenFull() || (held + 1 <= o.maxMessages() && heldBytes + bytes <= o.maxBytes());
        }

        private boolean reserve(long bytes) {
            held++;
            heldBytes += bytes;
            return true;
        }

        /** Node thread: a reserved publish of {@code bytes} reached the engine, which counts it from now on. */
        void entered(long bytes) {
            accounted++;
            accountedBytes += bytes;
        }

        /** Gives back a reservation of {@code bytes} that never reached the engine (the node stopped first). */
        void giveBack(long bytes) {
            add(-1, -bytes);
        }

        /** Node thread: the engine's part becomes the engine's count of the log now. */
        void sync(Engine engine) {
            long[] now = engine.logHeld(channel);
            long dm = now[0] - accounted, db = now[1] - accountedBytes;
            accounted = now[0];
            accountedBytes = now[1];
            if (dm != 0 || db != 0) add(dm, db);
        }

        private void add(long messages, long bytes) {
            line.change(
                    () -> {
                        held += messages;
                        heldBytes += bytes;
                    },
                    messages < 0 || bytes < 0);
        }

        private void wakeAll() {
            line.wake();
        }

        /** A publish found this log full and was {@code what}: counted now, reported by the node thread. */
        void overflowed(What what) {
            rejected.incrementAndGet();
            unreported[what.ordinal()].incrementAndGet();
            if (queued.compareAndSet(false, true)) toReport.add(this);
        }

        /** Why a publish of {@code bytes} found this log full, after waiting {@code nanos} (0: none). */
        ChannelFullException full(long bytes, long nanos) {
            ChannelOptions o = options;
            long[] h = line.locked(() -> new long[] {held, heldBytes});
            long m = h[0], b = h[1];
            return new ChannelFullException("channel " + channel + " is full: it holds " + m + " messages of "
                    + o.maxMessages() + " and " + b + " payload bytes of " + o.maxBytes() + " (a publish of " + bytes
                    + " bytes)" + (nanos > 0 ? ", waited " + SendRooms.waited(nanos) : "")
                    + "; retry when its readers have taken care of some");
        }
    }
}
