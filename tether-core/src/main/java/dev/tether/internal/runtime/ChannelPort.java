package dev.tether.internal.runtime;

import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.StreamStats;
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
        post(f, now -> loop.writeKeys(now, List.of(Effect.membership(u)), then));
    }

    /**
     * Publishes {@code payload} on {@code channel}'s log: the future completes with its {@link MessageId} (this node,
     * the channel's lane, the log's sequence number) once it is stored, or fails as a send's {@code accepted()} does
     * (a store failure, the node stopping). Counts against {@code maxPendingSendBytes} until then.
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws dev.tether.MessageTooLargeException if the message exceeds {@code maxMessageBytes}
     * @throws NodeClosedException if the node is shut down
     */
    public CompletableFuture<MessageId> publish(
            String channel, Map<String, String> headers, byte[] payload, long expiresAt) {
        Channels.requireValid(channel);
        Objects.requireNonNull(payload, "payload");
        Map<String, String> h = Map.copyOf(headers);
        if (runtime.closing) throw closed();
        long bytes = runtime.checkSize(h, payload.length);
        pendingSendBytes.addAndGet(bytes);
        Receipts.Receipt r = new Receipts.Receipt(bytes, w -> {}, loop::onNodeThread);
        long token = tokens.incrementAndGet();
        loop.post(new NodeLoop.Command() {
            @Override
            public void run(long now) {
                if (loop.receipts().register(token, r))
                    loop.engine().publish(now, token, channel, h, payload, expiresAt);
            }

            @Override
            public void refuse() {
                pendingSendBytes.addAndGet(-bytes);
                r.fail(closed());
            }
        });
        return r.accepted();
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
        post(new CompletableFuture<Void>(), now -> loop.engine().channelOptions(now, channel, options));
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
        loop.post(new NodeLoop.Command() {
            @Override
            public void run(long now) {
                task.run(now);
            }

            @Override
            public void refuse() {
                f.completeExceptionally(closed());
            }
        });
    }

    private NodeClosedException closed() {
        return new NodeClosedException("node " + runtime.id() + " is shut down");
    }
}
