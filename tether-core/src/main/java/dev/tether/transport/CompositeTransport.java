package dev.tether.transport;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.internal.transport.Composite;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One {@link Transport} over several, by priority: a node reachable over more than one transport (direct TCP and
 * NATS, say) uses the preferred one while it works, the next when it fails, and the preferred one again once it has
 * recovered. The node sees one peer, not one per member: a change of member is reported as the peer going down and
 * coming up again, a reconnect, after which the protocol's resume handshake (OPEN per stream, resending from the
 * receiver's cursor) keeps every stream in order and exactly once, as after any reconnect.
 *
 * <pre>{@code
 * Transport transport = CompositeTransport.of(tcp, nats); // tcp preferred, nats the fallback
 * }</pre>
 *
 * <p>What the composite does, per peer (members numbered by priority, 0 the most preferred):
 *
 * <ol>
 *   <li><b>One member at a time.</b> At most one member <em>carries</em> the peer. {@link #send} goes to it, and only
 *       frames that member receives from the peer are delivered; frames from the peer on any other member are
 *       dropped and counted ({@link #droppedFrames()}), and so are frames not yet delivered when their member reports
 *       the peer down (they belong to the ended connection). Both ends choose on their own; while they disagree (for the
 *       moments after a change) frames are lost, which the protocol retransmits.
 *   <li><b>Up.</b> While no member carries the peer, the most preferred member that has it up starts carrying it,
 *       reported as {@code onPeerUp}.
 *   <li><b>Failover.</b> When the carrying member loses the peer, the composite reports {@code onPeerDown} and, if
 *       another member has the peer up, at once {@code onPeerUp} on the most preferred of them.
 *   <li><b>Switch back.</b> A member more preferred than the carrying one takes over once it has had the peer up
 *       without a break for {@link Builder#switchBackAfter} (default 1 s): {@code onPeerDown}, then {@code onPeerUp}.
 *       A preferred member that keeps losing the peer within that period never takes over.
 *   <li><b>Admission.</b> Each member asks the listener to {@linkplain Listener#admit admit} the peer for its own
 *       connections (rule 10), and the composite asks again, with the proof that member gave, before each {@code
 *       onPeerUp} it reports: the node's decision may have changed since the member's connection came up. A refusal
 *       then is reported with {@code onConnectionRejected} and the member is not used for the peer until it reports
 *       the peer up again or {@link #connect} names the peer.
 *   <li><b>Threads.</b> Every listener call is made on one thread: the {@link #nodeExecutor()} of the first member,
 *       in priority order, that offers one, else a thread of the composite's own; {@link #nodeExecutor()} returns
 *       that executor, so the node can run its loop there (rule 9). A member event made on that thread (the
 *       preferred member's I/O thread, when it offers the executor) is handled there and then, in the member's call,
 *       as the member alone would make it: no task between a frame read and the node; every other event is a task on
 *       it. An event is handled in the member's call only when none of that member's earlier events is still queued
 *       and no listener call is in progress on that thread, so each member's events for a peer keep their order
 *       (rule 5) and listener calls never nest. {@code admit} is passed through on the member's thread.
 *   <li><b>Frames.</b> {@link #maxFrameBytes()} is the smallest of the members', {@link #maxInboundFrameBytes()}
 *       the largest (a frame arrives over any of them). A larger frame throws {@link
 *       IllegalArgumentException}; the others go to the carrying member's {@code send} (which copies them, rule 3),
 *       or are refused with false if none carries the peer. {@link #flush()} flushes every member. A member that
 *       reports a smaller frame limit ({@link Listener#onFrameLimit}, a NATS server's {@code max_payload}) bounds the
 *       frames of the peers it carries only: the composite reports each peer's limit, that of the member carrying it,
 *       before each up and when that member's limit changes ({@link Listener#onFrameLimit(NodeId, int)}), never one
 *       limit for every peer.
 *   <li><b>Connections (rule 4).</b> Frames are delivered only from the carrying member, and each member fences its
 *       own connections, so a frame sent to or from an earlier process of either node is never delivered. The
 *       composite does not fence a member connection that carries the peer more than once: after a switch back to
 *       the preferred member while the fallback's connection stays up, a later failover returns to that same
 *       connection (reported as a new down and up), and a frame the peer sent on it before, still in flight, can then
 *       be delivered. Both ends of that connection are the same processes as when it was sent, which is what the
 *       engine relies on (docs/PROTOCOL.md: a frame a process receives was sent after that process started); the
 *       protocol takes it as a delayed frame.
 *   <li><b>Addresses.</b> {@link #connect} gives an address written {@code N@address} to member N alone and every
 *       other address to every member; an {@code N} naming no member throws {@link IllegalArgumentException} before
 *       any member is told. An address a member cannot parse throws that member's {@link IllegalArgumentException},
 *       members are told in priority order, so the more preferred ones have then been told already (rule 11 holds
 *       fully when the unparsable address is meant for the preferred member or a prefix is wrong). {@link #disconnect} disconnects the peer on every member.
 *   <li><b>Lifecycle.</b> {@link #start} starts the members in priority order (a member that fails to start closes
 *       the ones already started and the exception is rethrown). {@link #close} closes them in reverse order, waits
 *       for a listener call in progress on another thread, and makes no listener call after it returns; it is
 *       idempotent. A listener call that throws is logged and counted ({@link #listenerFailures()}).
 * </ol>
 *
 * <p>The composite uses the JVM's monotonic clock for the switch-back period: the transport SPI does not hand it the
 * node's clock.
 */
public final class CompositeTransport implements Transport {
    /**
     * The longest {@linkplain Builder#switchBackAfter switch-back period}: 365 days. A longer one would overflow the
     * monotonic clock's arithmetic (nanoseconds) and never switch back anyway.
     */
    public static final Duration MAX_SWITCH_BACK_AFTER = Duration.ofDays(365);

    private final Composite composite;

    private CompositeTransport(List<Transport> members, Duration switchBackAfter) {
        this.composite = new Composite(members, switchBackAfter.toNanos(), System::nanoTime);
    }

    /**
     * A composite of {@code preferred} and then {@code fallbacks}, in that order of priority, switching back after 1 s.
     *
     * @throws InvalidConfigException if a member is null or given twice
     */
    public static CompositeTransport of(Transport preferred, Transport... fallbacks) {
        Builder b = builder().member(preferred);
        if (fallbacks == null) throw new InvalidConfigException("composite transport: the fallbacks array is null");
        for (Transport t : fallbacks) b.member(t);
        return b.build();
    }

    /** A builder: add members from the most to the least preferred. */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link CompositeTransport}. Not thread-safe. */
    public static final class Builder {
        private final List<Transport> members = new ArrayList<>();
        private Duration switchBackAfter = Duration.ofSeconds(1);

        private Builder() {}

        /**
         * Adds {@code member}, less preferred than those added before.
         *
         * @throws InvalidConfigException if {@code member} is null or was added before
         */
        public Builder member(Transport member) {
            int index = members.size();
            if (member == null) throw new InvalidConfigException("composite transport: member " + index + " is null");
            for (int i = 0; i < index; i++) {
                if (members.get(i) == member) {
                    throw new InvalidConfigException("composite transport: member " + index
                            + " is the same transport as member " + i + " (" + member + ")");
                }
            }
            if (member instanceof CompositeTransport) {
                throw new InvalidConfigException("composite transport: member " + index
                        + " is a composite transport itself; list its members instead");
            }
            members.add(member);
            return this;
        }

        /**
         * How long a more preferred member must have had a peer up before it takes the peer over (default 1 s; 0
         * switches back at once; at most {@link #MAX_SWITCH_BACK_AFTER}).
         *
         * @throws InvalidConfigException if {@code period} is null, negative or above {@link #MAX_SWITCH_BACK_AFTER}
         */
        public Builder switchBackAfter(Duration period) {
            if (period == null || period.isNegative()) {
                throw new InvalidConfigException(
                        "composite transport: switchBackAfter must be zero or positive, got " + period);
            }
            if (period.compareTo(MAX_SWITCH_BACK_AFTER) > 0) {
                throw new InvalidConfigException("composite transport: switchBackAfter must be at most "
                        + MAX_SWITCH_BACK_AFTER.toDays() + " days, got " + period);
            }
            this.switchBackAfter = period;
            return this;
        }

        /**
         * The composite.
         *
         * @throws InvalidConfigException if no member was added
         */
        public CompositeTransport build() {
            if (members.isEmpty()) {
                throw new InvalidConfigException("composite transport: no members (add at least one transport)");
            }
            return new CompositeTransport(List.copyOf(members), switchBackAfter);
        }
    }

    @Override
    public void start(NodeId self, Listener listener) {
        composite.start(self, listener);
    }

    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        return composite.send(peer, frame);
    }

    @Override
    public void flush() {
        composite.flush();
    }

    @Override
    public ScheduledExecutorService nodeExecutor() {
        return composite.nodeExecutor();
    }

    @Override
    public int maxFrameBytes() {
        return composite.maxFrameBytes();
    }

    /** The largest of the members': a frame arrives over any of them. */
    @Override
    public int maxInboundFrameBytes() {
        return composite.maxInboundFrameBytes();
    }

    @Override
    public void connect(NodeId peer, List<String> addresses) {
        composite.connect(peer, addresses);
    }

    @Override
    public void disconnect(NodeId peer) {
        composite.disconnect(peer);
    }

    @Override
    public void close() {
        composite.close();
    }

    /** The member carrying {@code peer} (0 the most preferred), or -1 while no member does. Thread-safe. */
    public int currentMember(NodeId peer) {
        return composite.currentMember(peer);
    }

    /** Frames dropped because they came on a member that was not carrying their peer. Thread-safe. */
    public long droppedFrames() {
        return composite.droppedFrames();
    }

    /**
     * Frames fenced: {@link #droppedFrames()} plus those the members fenced themselves ({@link
     * Transport#fencedFrames()}). Thread-safe.
     */
    @Override
    public long fencedFrames() {
        return composite.fencedFrames();
    }

    /** How many times a peer moved from one member to another (failovers and switches back). Thread-safe. */
    public long switches() {
        return composite.switches();
    }

    /**
     * Member events (frames above all) handled in the member's own call on the node executor's thread, with no task
     * between (rule 6). Thread-safe.
     */
    public long inlineEvents() {
        return composite.inlineEvents();
    }

    /** How many listener calls threw (each is logged). Thread-safe. */
    public long listenerFailures() {
        return composite.listenerFailures();
    }
}
