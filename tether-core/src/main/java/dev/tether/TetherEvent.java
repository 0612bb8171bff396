package dev.tether;

/**
 * Something a node reports to its {@link TetherListener}. Events describe what already happened; the
 * node has handled each one (nothing is waiting for the listener).
 */
public sealed interface TetherEvent {
    /** The transport reports {@code peer} reachable; the resume handshake follows. */
    record PeerConnected(NodeId peer) implements TetherEvent {}

    /**
     * Every stream with {@code peer} flows again after it connected: a frame from it arrived on the new connection
     * (normally its HELLO) and it answered the OPEN of every outbound stream holding unacknowledged messages (inbound streams need no wait: this node answers
     * their OPEN at once). Reported once per connection, after {@link PeerConnected}; wait for it instead of
     * polling {@link NodeStats#connectedPeers()}.
     */
    record PeerResumed(NodeId peer) implements TetherEvent {}

    /** The transport lost {@code peer}; unacknowledged messages stay stored and are resent on reconnect. */
    record PeerDisconnected(NodeId peer) implements TetherEvent {}

    /**
     * A stream was resynchronised: the peer is a new incarnation (its store epoch changed), or it
     * reported that everything below {@code cursor} was already taken care of.
     */
    record Resync(NodeId peer, String lane, String reason, long cursor) implements TetherEvent {}

    /** A message is being delivered again to this node's application, for {@code attempt} time. */
    record Redelivery(NodeId from, String lane, long seq, int attempt) implements TetherEvent {}

    /** The handler failed {@code attempts} times; the message went to this node's dead-letter queue. */
    record DeadLettered(NodeId from, String lane, long seq, int attempts, String reason) implements TetherEvent {}

    /** The handler failed {@code attempts} times and the stream is blocked on this message (policy BLOCK). */
    record StreamBlocked(NodeId from, String lane, long seq, int attempts, String reason) implements TetherEvent {}

    /**
     * The dead-letter queue went beyond its bounds ({@link DeadLetterLimits}, {@link
     * DeadLetterLimits.WhenFull#DROP_OLDEST}): {@code count} of its oldest dead letters were removed in the store batch
     * that added newer ones, the oldest of them dead-lettered at {@code oldestAt}. Rate-limited like {@link
     * ProtocolError} (a burst of 10, then at most 2 per second): evictions held back are added to the next event's
     * {@code count}, and {@code suppressed} is how many events were folded into this one, so the counts of these
     * events add up to {@link DeadLetterStats#evicted()}.
     */
    record DeadLettersEvicted(long count, java.time.Instant oldestAt, long suppressed) implements TetherEvent {}

    /**
     * Message {@code seq} from {@code from} failed for the last time (or was damaged in its sender's store), but the
     * dead-letter queue is full and refuses more ({@link DeadLetterLimits.WhenFull#REFUSE}): it was not dead-lettered,
     * and its stream is blocked at it until a purge, a replay or the age sweep makes room, then delivers it once more.
     * {@code reason} names the bound. Counted in {@link DeadLetterStats#refused()}; rate-limited like {@link
     * ProtocolError}, {@code suppressed} being how many refusals were held back since the previous event.
     */
    record DeadLetterQueueFull(NodeId from, String lane, long seq, String reason, long suppressed)
            implements TetherEvent {}

    /**
     * Sends on the outbound stream to {@code peer} on {@code lane} found it full: {@code count} of them were {@code
     * what} under {@code policy} since the previous report of this stream and kind (docs/MESSAGING.md,
     * "Backpressure"). For a channel log that refuses or waits when full, {@code peer} is this node, {@code lane}
     * the channel's ({@code _c.<channel>}), {@code what} REJECTED or TIMED_OUT, counted in {@code
     * NodeStats.publishesRejected}, with a rate limit of its own. Rate-limited like {@link ProtocolError} (a burst of 10, then at most 2 per second, for all
     * streams together): {@code suppressed} reports were held back before this one, while {@code StreamStats.rejected}
     * and {@code dropped} count every message.
     */
    record Overflow(NodeId peer, String lane, OverflowPolicy policy, What what, long count, long suppressed)
            implements TetherEvent {
        /** What happened to the sends. */
        public enum What {
            /** Refused at once (REJECT, or an {@code offer} not taken). */
            REJECTED,
            /** Refused after waiting for room (BLOCK, or {@code send(message, maxWait)}). */
            TIMED_OUT,
            /** Dropped instead of stored (DROP_NEWEST). */
            DROPPED_NEWEST,
            /** Older messages, never transmitted, dropped to make room for new ones (DROP_OLDEST). */
            DROPPED_OLDEST
        }
    }

    /** The message's time to live ran out before it was processed; it was skipped. */
    record Expired(NodeId from, String lane, long seq) implements TetherEvent {}

    /**
     * Retention of this node's log of {@code channel} ({@link ChannelOptions}) deleted {@code count} messages before
     * {@code reader} took them, as the reader reported when its stream reached them: it will never get them. The
     * reader raises {@link ChannelMessagesMissed} with the same count; both sides count them in the reader stream's
     * {@link StreamStats#missed()}.
     */
    record ChannelMessagesDropped(String channel, NodeId reader, long count) implements TetherEvent {}

    /**
     * {@code node} was kicked from {@code channel} by {@code by} (this node, or a peer that told this one): it is no
     * reader of this node's log any more, and its joins are refused until it is re-admitted. {@code dropped} messages of
     * this node's log it had not taken care of will not reach it.
     */
    record ChannelMemberKicked(String channel, NodeId node, NodeId by, long dropped) implements TetherEvent {}

    /**
     * {@code node} was kicked from the cluster by {@code by} (this node, or a peer that told this one): it is removed
     * as a peer here ({@code removePeer}; its connections are refused until it is re-admitted), {@code purged} messages
     * of this node's outbox to it were purged and {@code dropped} messages of this node's channel logs it had not taken
     * care of will not reach it.
     */
    record NodeKicked(NodeId node, NodeId by, long purged, long dropped) implements TetherEvent {}

    /**
     * This node was kicked from the cluster: {@code peer} refused its connection because it holds the verdict of {@code
     * generation} by which {@code by} kicked it ({@code NodeManagement.kick}). This node stops dialing {@code peer}
     * (its connections would be refused until an operator re-admits it); {@code peer} dials it again once it is
     * re-admitted, and an {@code addPeer} or a restart here dials it again too. Raised once per refusing peer and
     * verdict (again after a connection with the peer came up and it kicked again), counted in {@link
     * NodeStats#kickedFromCluster()}; each refusal is a {@link ConnectionRejected} too. A peer of an earlier version
     * refuses a removed node without saying why: only {@link ConnectionRejected} then.
     */
    record KickedFromCluster(NodeId peer, NodeId by, long generation) implements TetherEvent {}

    /**
     * This node was kicked from {@code channel} by {@code by}: its membership is deleted and its joins fail with
     * {@link ChannelAccessDeniedException} until an operator re-admits it.
     */
    record ChannelKicked(String channel, NodeId by) implements TetherEvent {}

    /**
     * This node refused a join of {@code channel} by {@code node}: it was kicked from it and not re-admitted (it is
     * told of the kick again), or the channel's {@link ChannelAccess} does not let it read. It was not made a reader of
     * this node's log; {@code reason} says which.
     */
    record ChannelJoinRefused(String channel, NodeId node, String reason) implements TetherEvent {}

    /**
     * A message of {@code channel} from {@code publisher}, which the channel's {@link ChannelAccess} does not let
     * write or which was kicked from the channel, or of a channel this node was kicked from ({@link ChannelKicked}),
     * was dropped here without reaching the application (its sequence number {@code seq} in the publisher's log).
     */
    record ChannelMessageRefused(String channel, NodeId publisher, long seq) implements TetherEvent {}

    /**
     * {@code publisher}'s retention ({@link ChannelOptions}) deleted messages {@code fromSeq..toSeq} of its log of
     * {@code channel} before this node, a reader, took them: they are skipped, and the stream goes on after them.
     * Never raised for what was published while this node was no reader (before a join, or between a leave and a
     * join). The publisher raises {@link ChannelMessagesDropped} with the same count.
     */
    record ChannelMessagesMissed(String channel, NodeId publisher, long fromSeq, long toSeq) implements TetherEvent {
        /** How many messages were missed. */
        public long count() {
            return toSeq - fromSeq + 1;
        }
    }

    /**
     * A message this node sent to {@code to} expired here before it was ever transmitted (its receiver was away,
     * or gave no credit): it will not be delivered, its {@code processed()} future completed with {@link
     * Outcome#EXPIRED}, and it leaves the outbox. A message already transmitted is the receiver's to expire.
     */
    record SendExpired(NodeId to, String lane, long seq) implements TetherEvent {}

    /**
     * {@code to} restarted (a new boot id in its HELLO) while volatile messages {@code fromSeq..toSeq} this node had
     * transmitted to it on {@code lane} were unacknowledged: they are lost, not sent again (they were processed at
     * most once, perhaps not at all). Their {@code processed()} futures completed with {@link Outcome#LOST}, and
     * volatile calls waiting for a reply failed with {@link VolatileLostException}.
     */
    record VolatileLost(NodeId to, String lane, long fromSeq, long toSeq) implements TetherEvent {}

    /**
     * A frame from {@code peer} was malformed or unexpected and was dropped. Rate-limited like {@link
     * ConnectionRejected} (a burst of 10, then at most 2 per second, for all peers together): every error is
     * counted in {@link NodeStats#protocolErrors()}, and {@code suppressed} is how many were not reported one by
     * one since the previous {@code ProtocolError} event.
     *
     * @param suppressed protocol errors not reported as events between the previous {@code ProtocolError} event
     *     and this one; 0 when none were held back
     */
    record ProtocolError(NodeId peer, String reason, long suppressed) implements TetherEvent {
        /** A protocol error with nothing held back before it ({@code suppressed} 0). */
        public ProtocolError(NodeId peer, String reason) {
            this(peer, reason, 0);
        }
    }

    /**
     * Routing rule {@code rule} could not do what it says for a message (docs/MESSAGING.md, "Routing rules"): a
     * regular expression read more than 100,000 characters of a value and was abandoned as not matching (also counted
     * in the rule's {@code RuleStats.errors}), or a {@code deliver} target does not exist on this node (the message
     * was dead-lettered with the rule's name). Rate-limited like {@link ProtocolError} (a burst of 10, then at most 2
     * per second, for all rules together).
     *
     * @param rule the rule's name
     * @param problem what failed
     * @param suppressed rule errors not reported as events between the previous {@code RuleError} and this one
     */
    record RuleError(String rule, String problem, long suppressed) implements TetherEvent {}

    /**
     * The transport refused a connection from or to {@code remote}, or closed one for a protocol violation
     * (failed handshake, unproven node id, bad certificate, oversize frame), or dropped a message that was not
     * valid on its subjects (NATS). Nothing was delivered from it.
     *
     * <p>These events are rate-limited, so that a flood of garbage or of bad connections cannot flood the
     * listener: a burst of 10, then at most 2 per second, for all remotes together; and a refusal of a remote for
     * a reason reported in the last 30 seconds is not reported again before they are over, where a remote is its
     * host and claimed node id (the remote without its port: a peer redialling after each refusal comes from a new
     * ephemeral port every time, and is reported about twice a minute, not at every dial; a new reason is reported
     * at once). Rejections beyond that are still counted in
     * {@link NodeStats#connectionsRejected()} but not reported one by one: {@code suppressed} is how many
     * rejections (from any remote, for any reason) were held back since the previous {@code ConnectionRejected}
     * event. The latest held-back rejection is reported as soon as the rate allows (within about half a second,
     * or when its remote's 30 seconds are over), so once a flood stops, {@code connectionsRejected} equals the
     * number of these events plus the sum of their {@code suppressed} counts.
     *
     * @param suppressed rejections not reported as events between the previous {@code ConnectionRejected} event
     *     and this one; 0 when none were held back
     */
    record ConnectionRejected(String remote, String reason, long suppressed) implements TetherEvent {
        /** A rejection with nothing held back before it ({@code suppressed} 0). */
        public ConnectionRejected(String remote, String reason) {
            this(remote, reason, 0);
        }
    }

    /**
     * The store failed; the affected sends failed and no acknowledgment was emitted. The node retries (a commit's
     * other writes and outbox reads, every 100 ms), so a store that keeps failing fails again and again:
     * rate-limited like {@link ConnectionRejected} (a burst of 10, then at most 2 per second). Every failure is
     * counted in {@link NodeStats#storeFailures()}, and {@code suppressed} is how many were not reported one by
     * one since the previous {@code StoreFailure} event.
     *
     * @param suppressed store failures not reported as events between the previous {@code StoreFailure} event and
     *     this one; 0 when none were held back
     */
    record StoreFailure(String reason, long suppressed) implements TetherEvent {
        /** A store failure with nothing held back before it ({@code suppressed} 0). */
        public StoreFailure(String reason) {
            this(reason, 0);
        }
    }

    /**
     * A message did not match its checksum (docs/PROTOCOL.md, "Message checksum"): it was not delivered as valid.
     * {@code where} says what was damaged. {@link Where#STORE}: this node, the sender, read message {@code seq} of
     * its stream to {@code peer} back from its store and found it changed; it is transmitted marked as damaged, and
     * the receiver dead-letters it (a {@link DeadLettered} event there) and the stream continues. {@link
     * Where#TRANSIT}: this node, the receiver, got message {@code seq} from {@code peer} changed on the way; it was
     * dropped and asked for again, so the stream heals if the next copy arrives intact. Every mismatch is counted in
     * {@link NodeStats#checksumMismatches()}; the events are rate-limited like {@link ConnectionRejected} (a burst of
     * 10, then at most 2 per second), {@code suppressed} saying how many were held back since the previous one.
     */
    record ChecksumMismatch(NodeId peer, String lane, long seq, Where where, String reason, long suppressed)
            implements TetherEvent {
        /** Where the damage happened. */
        public enum Where {
            /** In the sender's store, between the commit and the read (found by the sender). */
            STORE,
            /** Between the sender's store and the receiver (found by the receiver). */
            TRANSIT
        }

        /** A mismatch with nothing held back before it ({@code suppressed} 0). */
        public ChecksumMismatch(NodeId peer, String lane, long seq, Where where, String reason) {
            this(peer, lane, seq, where, reason, 0);
        }
    }

    /**
     * Message {@code seq} this node stored for {@code to} on {@code lane} cannot go into a DATA frame of the connection,
     * even alone: larger than the frame limit (stored before the limit was lowered; a routed copy whose routes and
     * trail headers pushed it over), or with a header the frame's 16-bit lengths cannot hold. {@code reason} says which.
     * It was sent marked as damaged in its place, with header {@code :x} holding the reason and no payload: the
     * receiver dead-letters it (a {@link DeadLettered} event there, the original bytes are not sent) and the stream
     * goes on. Raised when the stand-in is first transmitted, not at its retransmissions (after a restart of this node
     * it may be raised again for the same message). Every one is counted in {@link NodeStats#unsendableMessages()};
     * rate-limited like {@link ConnectionRejected} (a burst of 10, then at most 2 per second), {@code suppressed}
     * saying how many were held back since the previous one.
     */
    record UnsendableMessage(NodeId to, String lane, long seq, String reason, long suppressed) implements TetherEvent {
        /** An unsendable message with nothing held back before it ({@code suppressed} 0). */
        public UnsendableMessage(NodeId to, String lane, long seq, String reason) {
            this(to, lane, seq, reason, 0);
        }
    }

    /** The application's handler or listener threw; counted and reported, never swallowed. */
    record ApplicationError(String where, String reason) implements TetherEvent {}
}
