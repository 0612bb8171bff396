package dev.tether.internal.runtime;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.ChannelStats;
import dev.tether.Channels;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.spi.ChannelMembership;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node runtime's side of channels, for the channel layer above it: publishes on this node's channel logs
 * (stored once, whatever the number of readers) and the readers of those logs (docs/CHANNELS-DESIGN.md, section 2).
 * Thread-safe: every method hands its work to the node thread and returns a future completed there. A channel
 * message reaches a reader's node as a delivery on the channel's lane ({@link Channels#lane}), from the publisher,
 * in the log's order, to whatever consumes that lane there (the router, else the configured handler).
 */
public final class ChannelPort {
    private final NodeRuntime runtime;
    private final NodeLoop loop;
    private final StoreWriter storeWriter;
    private final AtomicLong pendingSendBytes;
    private final AtomicLong tokens;
    private final List<ChannelMembership> stored;
    private final ChannelRooms rooms;
    /** What every publish's receipt shares (never watched: a publish's processed() is its store's), built once. */
    private final Receipts.Shared receipts;

    ChannelPort(
            NodeRuntime runtime,
            NodeLoop loop,
            StoreWriter storeWriter,
            AtomicLong pendingSendBytes,
            AtomicLong tokens,
            List<ChannelMembership> stored) {
        this.runtime = runtime;
        this.loop = loop;
        this.storeWriter = storeWriter;
        this.pendingSendBytes = pendingSendBytes;
        this.tokens = tokens;
        this.stored = List.copyOf(stored);
        this.rooms = new ChannelRooms(runtime.id());
        this.receipts = new Receipts.Shared(w -> {}, loop::onNodeThread);
        loop.channelRooms(rooms);
    }

    /**
     * Where a reader of {@code channel}'s log starting at {@code startMillis} starts: the position before the first
     * message the log holds that was published at or after it, or after the last message it holds if none was. Read
     * from the store on its thread, page by page; completes there.
     */
    public CompletableFuture<Long> positionAt(String channel, long startMillis) {
        return positionAt(channel, startMillis, 1, 0);
    }

    private CompletableFuture<Long> positionAt(String channel, long startMillis, long fromSeq, long lastSeen) {
        return storeWriter.readChannel(channel, fromSeq, PAGE).thenCompose(page -> {
            for (ChannelMessage m : page) {
                if (m.publishedAtMillis() >= startMillis) return CompletableFuture.completedFuture(m.seq() - 1);
            }
            if (page.size() < PAGE) {
                return CompletableFuture.completedFuture(
                        page.isEmpty() ? lastSeen : page.get(page.size() - 1).seq());
            }
            long last = page.get(page.size() - 1).seq();
            return positionAt(channel, startMillis, last + 1, last);
        });
    }

    private static final int PAGE = 256;

    /** This node's memberships (channel, role) as its store held them when the node started. */
    public Map<String, ChannelRole> storedMemberships() {
        Map<String, ChannelRole> m = new LinkedHashMap<>();
        for (ChannelMembership c : stored) m.put(c.channel(), c.role());
        return m;
    }

    /**
     * Stores this node's membership of {@code channel} as {@code role} (null: deletes it, a leave) with the next store
     * batch; runs {@code then} on the node thread once it is durable. If the node is shut down first, {@code f} fails
     * with {@link NodeClosedException} instead.
     */
    public void storeMembership(String channel, ChannelRole role, CompletableFuture<?> f, Runnable then) {
        WriteBatch.MembershipUpdate u = role == null
                ? WriteBatch.MembershipUpdate.leave(channel)
                : WriteBatch.MembershipUpdate.join(channel, role);
        post(f, now -> loop.ownWrites().writeKeys(now, List.of(Effect.membership(u)), then));
    }

    /**
     * Publishes {@code payload} on {@code channel}'s log: the future completes with its {@link MessageId} (this node,
     * the channel's lane, the log's sequence number) once it is stored, or fails as a send's {@code accepted()} does
     * (a store failure, the node stopping), or with {@link ChannelFullException} if the log is full and refuses
     * ({@code REJECT}), or stayed full for the {@code BLOCK} policy's wait, which this call spends on the caller's
     * thread ({@link ChannelRooms}). Counts against {@code maxPendingSendBytes} until stored.
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws dev.tether.MessageTooLargeException if the message exceeds {@code maxMessageBytes}
     * @throws NodeClosedException if the node is shut down, also while waiting
     * @throws IllegalStateException if the log is full under {@code BLOCK} and this is the node thread, which must not
     *     wait
     */
    public CompletableFuture<MessageId> publish(
            String channel, Map<String, String> headers, byte[] payload, long expiresAt) {
        return publish(channel, headers, payload, expiresAt, true);
    }

    /**
     * As {@link #publish(String, Map, byte[], long)}, but never waits: a log that is full now, whatever its policy,
     * refuses by throwing {@link ChannelFullException} (counted and reported as a REJECT refusal).
     */
    public CompletableFuture<MessageId> offer(String channel, Map<String, String> headers, byte[] payload) {
        return publish(channel, headers, payload, 0, false);
    }

    private CompletableFuture<MessageId> publish(
            String channel, Map<String, String> headers, byte[] payload, long expiresAt, boolean byPolicy) {
        Channels.requireValid(channel);
        Objects.requireNonNull(payload, "payload");
        Map<String, String> h = Map.copyOf(headers);
        if (runtime.closing) throw closed();
        long bytes = runtime.checkSize(h, payload.length);
        ChannelRooms.Room room = rooms.room(channel);
        if (room != null) {
            ChannelFullException full = admit(room, payload.length, byPolicy);
            if (full != null && !byPolicy) throw full;
            if (full != null) return CompletableFuture.failedFuture(full);
        }
        pendingSendBytes.addAndGet(bytes);
        Receipts.Receipt r = new Receipts.Receipt(bytes, receipts, null, true);
        long token = tokens.incrementAndGet();
        loop.post(new NodeLoop.Command() {
            @Override
            public void run(long now) {
                if (!loop.receipts().register(token, r)) return;
                loop.engine().publish(now, token, channel, h, payload, expiresAt);
                if (room != null) room.entered(payload.length);
            }

            @Override
            public void refuse() {
                pendingSendBytes.addAndGet(-bytes);
                if (room != null) room.giveBack(payload.length);
                r.fail(closed());
            }
        });
        CompletableFuture<MessageId> accepted = r.accepted();
        if (room != null) { // the engine refuses too, when a limit was lowered after the room was taken
            accepted.whenComplete((id, e) -> {
                if (e instanceof ChannelFullException) room.overflowed(TetherEvent.Overflow.What.REJECTED);
            });
        }
        return accepted;
    }

    /**
     * Takes room in {@code room} for a publish of {@code bytes} payload bytes ({@code byPolicy}: waiting as its policy
     * says), or returns why not, counted.
     */
    private ChannelFullException admit(ChannelRooms.Room room, long bytes, boolean byPolicy) {
        ChannelOptions o = room.options;
        boolean block = byPolicy && o.whenFull() == ChannelOptions.WhenFull.BLOCK && o.refusesWhenFull();
        long nanos = block ? SendCalls.saturatedNanos(o.maxWait()) : 0;
        if (block && bytes > o.maxBytes()) nanos = 0; // it never fits: waiting would not help
        if (block && loop.onNodeThread()) {
            if (!room.hasRoom(bytes)) {
                throw new IllegalStateException("channel " + channel(room) + " is full and its policy BLOCK would"
                        + " wait on the node thread (a listener or a handler running on it), which must not wait;"
                        + " use offerPublish, or publish from another thread");
            }
            nanos = 0; // room was there a moment ago: never wait here, refuse if it is gone
        }
        try {
            if (room.take(bytes, nanos)) return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            room.overflowed(TetherEvent.Overflow.What.TIMED_OUT);
            return new ChannelFullException(
                    "interrupted while waiting for room in channel " + channel(room)
                            + " (policy BLOCK); nothing was published",
                    e);
        }
        if (runtime.closing) throw closed(); // a shutdown woke the wait
        room.overflowed(nanos > 0 ? TetherEvent.Overflow.What.TIMED_OUT : TetherEvent.Overflow.What.REJECTED);
        return room.full(bytes, nanos);
    }

    private static String channel(ChannelRooms.Room room) {
        return room.channel;
    }

    /**
     * Makes {@code reader} a reader of {@code channel}'s log after position {@code afterSeq} ({@code Long.MAX_VALUE}:
     * the log's end now), as {@code Engine.addReader}: completes with the reader's cursor; the reader's stream opens
     * once its row is stored.
     */
    public CompletableFuture<Long> addReader(String channel, NodeId reader, long afterSeq) {
        Channels.requireValid(channel);
        Objects.requireNonNull(reader, "reader");
        CompletableFuture<Long> f = new NodeFuture<>(loop::onNodeThread);
        post(f, now -> f.complete(loop.engine().addReader(now, channel, reader, afterSeq)));
        return f;
    }

    /**
     * Makes {@code readers} the readers of {@code channel}'s log (the broadcast channel's readers are the known peers):
     * those that are not readers yet start after its end, readers not among them are removed; on the node thread,
     * before anything posted after this call (a publish).
     */
    public void setReaders(String channel, Set<NodeId> readers) {
        Channels.requireValid(channel);
        Set<NodeId> wanted = Set.copyOf(readers);
        post(new CompletableFuture<Void>(), now -> {
            for (NodeId r : loop.engine().readers(channel)) {
                if (!wanted.contains(r)) loop.engine().removeReader(now, channel, r);
            }
            for (NodeId r : wanted) loop.engine().addReader(now, channel, r, Engine.LOG_END);
        });
    }

    /**
     * Sets the retention of this node's log of {@code channel} ({@code Engine.channelOptions}), on the node thread,
     * before anything posted after this call (a publish).
     */
    public void options(String channel, ChannelOptions options) {
        Channels.requireValid(channel);
        Objects.requireNonNull(options, "options");
        CompletableFuture<Void> f = new CompletableFuture<>();
        post(f, now -> loop.engine().channelOptions(now, channel, options));
        rooms.options(channel, options); // after the post: a publish admitted by them reaches the engine after them
    }

    /** {publishes refused for a full log, publishers waiting for room now}, over this node's logs; any thread. */
    public long[] publishTotals() {
        return rooms.totals();
    }

    /** The node is stopping: publishes waiting for room give up. */
    void closeRooms() {
        rooms.close();
    }

    /**
     * The counters of every channel this node has a log of, admission for or a stream on, and of {@code joined}, sorted
     * by name, without memberships ({@link ChannelCounters}); waits for the node thread (at most 10 s) unless on it.
     *
     * @throws NodeClosedException if the node is shut down
     */
    public List<ChannelStats> stats(Iterable<String> joined) {
        if (loop.onNodeThread()) return ChannelCounters.of(loop.engine(), rooms, joined);
        CompletableFuture<List<ChannelStats>> f = new NodeFuture<>(loop::onNodeThread);
        post(f, now -> f.complete(ChannelCounters.of(loop.engine(), rooms, joined)));
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new TetherException("channel statistics failed", e.getCause());
        } catch (TimeoutException e) {
            throw new TetherException("node " + runtime.id() + " did not answer a statistics request within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetherException("interrupted while waiting for channel statistics");
        }
    }

    /** Removes {@code reader} from {@code channel}'s readers: completes with whether it was one. */
    public CompletableFuture<Boolean> removeReader(String channel, NodeId reader) {
        Channels.requireValid(channel);
        Objects.requireNonNull(reader, "reader");
        CompletableFuture<Boolean> f = new NodeFuture<>(loop::onNodeThread);
        post(f, now -> f.complete(loop.engine().removeReader(now, channel, reader)));
        return f;
    }

    /**
     * The entries of {@code namespace} of the store's key-value area, value by key (a channel layer's state, read when
     * it starts); read on the store's thread.
     */
    public CompletableFuture<Map<String, byte[]>> storedKeys(String namespace) {
        return storeWriter.readKeys(namespace, runtime.clock().millis()).thenApply(l -> {
            Map<String, byte[]> m = new LinkedHashMap<>();
            for (KeyValue kv : l) m.put(kv.key(), kv.value());
            return m;
        });
    }

    /** An effect that puts {@code value} under {@code key} in {@code namespace} of the key-value area, for good. */
    public static Effect putKey(String namespace, String key, byte[] value) {
        return Effect.put(new KeyValue(namespace, key, value, 0));
    }

    /** An effect that deletes this node's stored membership of {@code channel}. */
    public static Effect leaveEffect(String channel) {
        return Effect.membership(WriteBatch.MembershipUpdate.leave(channel));
    }

    /**
     * Node thread: how many messages of this node's log of {@code channel} {@code reader} has not taken care of, or
     * -1 if it is no reader of it.
     */
    public long readerBacklog(String channel, NodeId reader) {
        if (!loop.engine().readers(channel).contains(reader)) return -1;
        String lane = Channels.lane(channel);
        for (StreamStats s : loop.engine().streamStats()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND
                    && s.peer().equals(reader)
                    && s.lane().equals(lane)) {
                return Math.max(0, s.lastSeq() - s.cursor());
            }
        }
        return 0; // its stream opens with the batch that stores its row
    }

    private void post(CompletableFuture<?> f, NodeTask task) {
        if (runtime.closing) throw closed();
        loop.post(NodeLoop.answering(task, f, runtime.id()));
    }

    /** @throws NodeClosedException once the node is shut down */
    public void requireOpen() {
        if (runtime.closing) throw closed();
    }

    private NodeClosedException closed() {
        return new NodeClosedException("node " + runtime.id() + " is shut down");
    }
}
