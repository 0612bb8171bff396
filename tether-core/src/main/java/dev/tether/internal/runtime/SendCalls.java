package dev.tether.internal.runtime;

import dev.tether.Lanes;
import dev.tether.MessageDroppedException;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OfferResult;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.OverflowPolicy;
import dev.tether.Priority;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent.Overflow.What;
import dev.tether.UnknownPeerException;
import dev.tether.internal.engine.Effect;
import dev.tether.spi.MessageChecksum;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's sends, on the caller's thread: arguments checked, room reserved ({@link SendAdmission}: at once, by
 * waiting, or refused without an exception), then posted to the node thread, where the engine numbers and stores
 * them. Thread-safe.
 */
public final class SendCalls {
    private final NodeRuntime runtime;
    private final NodeSettings config;
    private final NodeLoop loop;
    private final Admission admission;
    private final SendAdmission sends;
    private final AtomicLong tokens;
    /** Posts sends by level once one is not of the default level. */
    private final SendInput input;
    /**
     * What every send's object refers to (the receipt's watch callback and node-thread test, the loop, the admission,
     * the closed-node exception's supplier): built once, not per send, and one reference in each send.
     */
    private final SendCommands.Shared shared;

    SendCalls(
            NodeRuntime runtime,
            NodeSettings config,
            NodeLoop loop,
            Admission admission,
            SendAdmission sends,
            AtomicLong tokens) {
        this.runtime = runtime;
        this.config = config;
        this.loop = loop;
        this.admission = admission;
        this.sends = sends;
        this.tokens = tokens;
        this.shared = new SendCommands.Shared(
                loop,
                sends,
                this::closedForSends,
                w -> loop.post(new SendCommands.Watch(loop, w, runtime.id())),
                loop::onNodeThread);
        this.input = new SendInput(loop, config.lanePriorities().stream().anyMatch(p -> p.level() != Priority.DEFAULT));
    }

    public SendReceipt send(NodeId to, String lane, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            return submit(to, Lanes.requireApplicationLane(lane), Map.of(), payload.clone(), 0, null, true, 0);
        } catch (InterruptedException e) {
            return interrupted(e);
        }
    }

    /** Sends {@code m} as its stream's overflow policy says when it is full. */
    public SendReceipt send(OutboundMessage m) {
        try {
            return send(m, true, 0);
        } catch (InterruptedException e) {
            return interrupted(e);
        }
    }

    /** A send waiting under policy BLOCK was interrupted: the interrupt stays set, and nothing was sent. */
    private static SendReceipt interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueueFullException("interrupted while waiting for room (policy BLOCK); nothing was sent", e);
    }

    /**
     * Sends {@code m}, waiting up to {@code maxWait} for room in its stream, behind the senders that waited first.
     *
     * @throws IllegalArgumentException if {@code maxWait} is not positive
     * @throws IllegalStateException on the node thread, which must not wait
     * @throws QueueFullException if no room came in time
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    public SendReceipt send(OutboundMessage m, Duration maxWait) throws InterruptedException {
        return send(m, false, waitNanos(maxWait));
    }

    /** {@code maxWait} in nanoseconds, for a send that waits for room whatever the policy, checked. */
    private long waitNanos(Duration maxWait) {
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, was " + maxWait
                    + "; to send only if there is room now, use offer (or send without a wait)");
        }
        if (loop.onNodeThread()) {
            throw new IllegalStateException("send with a wait called on the node thread (from a listener or a handler"
                    + " running on it), which must not wait; use offer, or send from another thread");
        }
        return saturatedNanos(maxWait);
    }

    /** Sends {@code m} if its stream has room now; never waits, never throws for a full stream. */
    public OfferResult offer(OutboundMessage m) {
        try {
            return OfferResult.taken(send(m, false, 0));
        } catch (QueueFullException e) {
            return OfferResult.refused(e);
        } catch (InterruptedException e) {
            throw new AssertionError("a send that does not wait was interrupted", e);
        }
    }

    /**
     * As {@link #submitByPolicy}, but waiting up to {@code maxWait} for room whatever the stream's policy, as {@link
     * #send(OutboundMessage, Duration)} does (an endpoint's send with a wait).
     *
     * @throws IllegalArgumentException if {@code maxWait} is not positive
     * @throws IllegalStateException on the node thread, which must not wait
     * @throws QueueFullException if no room came in time
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    public SendReceipt submitWithin(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, Duration maxWait)
            throws InterruptedException {
        return submit(to, lane, headers, payload, expiresAt, null, false, waitNanos(maxWait));
    }

    /**
     * As {@link #offer}, for a send built as {@link #submitByPolicy}'s (an endpoint's offer): taken if its stream (and
     * the node's budget of bytes waiting for the store) has room now, else refused with the reason; never waits.
     */
    public OfferResult offerSubmit(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {
        try {
            return OfferResult.taken(submit(to, lane, headers, payload, expiresAt, null, false, 0));
        } catch (QueueFullException e) {
            return OfferResult.refused(e);
        } catch (InterruptedException e) {
            throw new AssertionError("a send that does not wait was interrupted", e);
        }
    }

    private SendReceipt send(OutboundMessage m, boolean byPolicy, long waitNanos) throws InterruptedException {
        Objects.requireNonNull(m, "message");
        ByteBuffer p = m.payload();
        byte[] payload = new byte[p.remaining()];
        p.get(payload);
        long expiresAt =
                m.ttl() == null ? 0 : TimeToLive.expiresAt(config.clock().millis(), m.ttl());
        Map<String, String> headers = m.headers();
        if (m.priority().isPresent()) { // travels as the header, "4" dropped by the submit below
            headers = LanePriority.withLevel(headers, m.priority().getAsInt());
        }
        return submit(m.to(), m.wireLane(), headers, payload, expiresAt, null, byPolicy, waitNanos);
    }

    /** {@link NodeRuntime#submit}: never waits. */
    public SendReceipt submit(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, SendHook hook) {
        try {
            return submit(to, lane, headers, payload, expiresAt, hook, false, 0);
        } catch (InterruptedException e) {
            throw new AssertionError("a send that does not wait was interrupted", e);
        }
    }

    /**
     * As {@link #submit(NodeId, String, Map, byte[], long, SendHook)}, but a full stream is handled by its overflow
     * policy as for {@code send(m)} (an endpoint send: its stream's limits may come from {@code endpointLimits}).
     *
     * @throws QueueFullException as {@code send(m)}, also when interrupted while waiting under BLOCK (the interrupt
     *     kept set)
     */
    public SendReceipt submitByPolicy(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {
        try {
            return submit(to, lane, headers, payload, expiresAt, null, true, 0);
        } catch (InterruptedException e) {
            return interrupted(e);
        }
    }

    /**
     * The stream to this node itself on {@code lane}, an endpoint's (not checked here: the caller builds it), for
     * {@link #submitByPolicy(SendTarget, Map, long, byte[])}; its room is made now if no send used it yet.
     */
    public SendTarget localTarget(String lane) {
        NodeId self = runtime.id();
        return new SendTarget(self, lane, sends.rooms.room(self, lane), true);
    }

    /**
     * The encoded size of {@code headers} (names and values as a frame carries them), for a caller that sends with the
     * same immutable headers again and again: {@link #submitByPolicy(SendTarget, Map, long, byte[])} then does not
     * measure them per send.
     *
     * @throws dev.tether.MessageTooLargeException if a header is too long
     */
    public long headersBytes(Map<String, String> headers) {
        return sends.checkSize(headers, 0);
    }

    /**
     * As {@link #submitByPolicy(NodeId, String, Map, byte[], long)} (no expiry) on {@code target}'s stream, found once:
     * no lookup of its room. {@code headersBytes} is {@link #headersBytes}'s answer for {@code headers} (which must
     * not change), or -1 to measure them here.
     */
    public SendReceipt submitByPolicy(
            SendTarget target, Map<String, String> headers, long headersBytes, byte[] payload) {
        try {
            return submit(target.to, target.lane, target, headers, headersBytes, payload, 0, null, true, 0);
        } catch (InterruptedException e) {
            return interrupted(e);
        }
    }

    private SendReceipt submit(
            NodeId to,
            String lane,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            SendHook hook,
            boolean byPolicy,
            long waitNanos)
            throws InterruptedException {
        Objects.requireNonNull(to, "to");
        return submit(to, lane, null, headers, -1, payload, expiresAt, hook, byPolicy, waitNanos);
    }

    /**
     * A send to {@code to} on {@code lane}; {@code target}, if not null, is that stream with its room (no lookup);
     * {@code headersBytes} the encoded size of {@code headers} if known, else -1.
     */
    private SendReceipt submit(
            NodeId to,
            String lane,
            SendTarget target,
            Map<String, String> headers,
            long headersBytes,
            byte[] payload,
            long expiresAt,
            SendHook hook,
            boolean byPolicy,
            long waitNanos)
            throws InterruptedException {
        if (runtime.closing) throw closedForSends();
        // A send to this node itself goes on a loopback stream (docs/MESSAGING.md, "Sending to this node").
        boolean self = target != null ? target.self : to.equals(runtime.id());
        if (!self && !admission.isKnown(to)) throw unknownPeer(to);
        int level = LanePriority.level(config.lanePriorities(), lane, headers);
        Map<String, String> withLevel = LanePriority.apply(headers, level);
        // Headers measured once by the caller stay valid unless the lane's level was added to them.
        long bytes = headersBytes >= 0 && withLevel == headers
                ? sends.checkPayloadSize(headersBytes, payload.length)
                : sends.checkSize(withLevel, payload.length);
        SendRooms.Room room = target != null ? target.room : sends.rooms.room(to, lane);
        OverflowPolicy policy = byPolicy ? room.limits.policy() : OverflowPolicy.REJECT;
        long wait = waitNanos;
        if (policy.kind() == OverflowPolicy.Kind.BLOCK) {
            wait = saturatedNanos(policy.timeout());
            if (loop.onNodeThread()) {
                if (room.waiting() + room.held() >= room.limit) {
                    throw new IllegalStateException("stream " + room.key + " is full and its policy " + policy
                            + " would wait on the node thread (a listener or a handler running on it), which must"
                            + " not wait");
                }
                wait = 0; // room was there a moment ago: never wait here, refuse if it is gone
            }
        }
        boolean dropOldest = false;
        if (!sends.reserve(room, bytes, wait)) {
            if (runtime.closing) throw closedForSends(); // a shutdown woke the wait
            // Removed (a kick) while this send waited for room: refused as a send to it now is, not as a full stream.
            if (wait > 0 && !to.equals(runtime.id()) && !admission.isKnown(to)) throw unknownPeer(to);
            if (policy.kind() == OverflowPolicy.Kind.DROP_OLDEST) {
                // Only the node thread knows what was transmitted: it drops a message or refuses this one.
                sends.reserveOverLimit(room, bytes);
                dropOldest = true;
            } else if (policy.kind() == OverflowPolicy.Kind.DROP_NEWEST) {
                room.overflowed(What.DROPPED_NEWEST);
                return new DroppedReceipt(
                        new MessageDroppedException("dropped by policy DROP_NEWEST: " + SendAdmission.full(room, 0)));
            } else {
                room.overflowed(wait > 0 ? What.TIMED_OUT : What.REJECTED);
                throw new QueueFullException(SendAdmission.full(room, wait));
            }
        }
        return post(to, lane, withLevel, payload, expiresAt, hook, room, dropOldest, level & 7, bytes);
    }

    /** Posts a send whose room is reserved to the node thread, at {@code level}; returns its receipt. */
    private SendReceipt post(
            NodeId to,
            String lane,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            SendHook hook,
            SendRooms.Room room,
            boolean dropOldest,
            int level,
            long bytes) {
        long token = tokens.incrementAndGet();
        // The checksum over the message's bytes is computed here, on the sender's thread; the node thread, which every
        // send of the node passes, only adds the sequence number's part when it numbers the message.
        long withoutSeq = MessageChecksum.withoutSeq(lane, expiresAt, headers, payload);
        // The receipt is the command: accepted or rejected on the node thread (a shutdown may have begun since the
        // check above).
        SendCommands.Submit s = new SendCommands.Submit(
                shared, token, bytes, hook, room, headers, payload, expiresAt, withoutSeq, dropOldest);
        input.post(s, room, level);
        return s;
    }

    /** The receipt of a message dropped by DROP_NEWEST: never stored, never to be. */
    private record DroppedReceipt(CompletableFuture<MessageId> accepted, CompletableFuture<Outcome> processed)
            implements SendReceipt {
        DroppedReceipt(MessageDroppedException e) {
            this(CompletableFuture.failedFuture(e), CompletableFuture.completedFuture(Outcome.DROPPED));
        }
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private NodeClosedException closedForSends() {
        return ClosedNodeErrors.of(
                runtime.id(),
                runtime.loopFatal(),
                "node " + runtime.id() + " is shut down; send rejected",
                "send rejected");
    }

    /**
     * Reserves room in the target stream of each copy and forward in {@code effects}, a routed message's, all or none
     * ({@link RouteRooms}): check its {@link RouteRooms#refusal}. Any thread; never waits.
     */
    public RouteRooms reserveRouted(List<Effect> effects) {
        return RouteRooms.reserve(sends.rooms, effects);
    }

    /**
     * Why a send to {@code to} would be refused as to an unknown or removed peer, or null if it is accepted (this node
     * or a known peer). Any thread; what {@code send} checks first.
     */
    public String refusal(NodeId to) {
        return to.equals(runtime.id()) || admission.isKnown(to)
                ? null
                : unknownPeer(to).getMessage();
    }

    private UnknownPeerException unknownPeer(NodeId to) {
        if (admission.isRemoved(to)) {
            return new UnknownPeerException("peer " + to + " was removed from node " + runtime.id() + "; addPeer(" + to
                    + ") to send to it again");
        }
        return new UnknownPeerException("unknown peer " + to + ": node " + runtime.id() + " has not been configured"
                + " with it, added it, discovered it, or stored anything for it; add it with addPeer(" + to + ") or"
                + " TetherConfig.Builder.peers (configured peers: " + config.peers() + ")");
    }
}
