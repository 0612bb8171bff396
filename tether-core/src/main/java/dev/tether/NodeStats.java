package dev.tether;

import java.util.List;

/**
 * A snapshot of a node's counters. {@code connectionsRejected} counts connections the transport refused
 * (handshake, identity, oversize frames), every one of them, also those whose {@link
 * TetherEvent.ConnectionRejected} event was rate-limited; {@code inboundFramesShed} counts received frames dropped because
 * the node thread was behind by more than {@code maxInboundQueueBytes} (they are retransmitted); {@code framesFenced}
 * counts received frames the transport discarded unread because they did not belong to their peer's current connection
 * ({@link dev.tether.spi.Transport#fencedFrames()}: a NATS link or a composite's member that no longer carries the
 * peer). A peer that is connected while this grows and nothing arrives from it has all its frames fenced. {@code
 * framesIgnored} counts received frames the node itself read and dropped because they are not of the current state of
 * their peer or stream (an ACK frame counts once per stream entry it drops): from a peer removed with {@code
 * removePeer}; of another incarnation of their stream (a sender epoch not the stream's: a sender's earlier process or
 * store, acknowledgments of an earlier epoch of this node's stream); of a stream this node does not have (DATA or
 * CANCEL before the stream's OPEN, an ACK, RESEND or OUTCOME of an outbound stream it does not have); of an outbound
 * stream not open to them (an ACK of a stream stopped as diverged, or of a volatile stream before the peer's HELLO, a
 * RESEND while it reopens); an OUTCOME of a message already settled. None is an error and the protocol recovers from
 * each (a sender resends, a receiver acknowledges again); a peer whose frames all grow this is out of step with this
 * node (docs/OPERATIONS.md, "Metrics").
 * {@code kickedFromCluster} counts the {@link TetherEvent.KickedFromCluster} events: peers that refused this node
 * because it was kicked from the cluster, one per peer and verdict (its refusals are in {@code connectionsRejected}
 * too).
 *
 * <p>{@code checksumMismatches} counts messages that did not match their checksum (docs/PROTOCOL.md, "Message
 * checksum"): outbox rows this node read back changed from its store, and messages it received changed on the way,
 * every one, also those whose {@link TetherEvent.ChecksumMismatch} event was rate-limited. None was delivered as
 * valid. {@code unsendableMessages} counts stored messages this node could not put into a DATA frame (over the frame
 * limit) and sent as damaged stand-ins for the receiver's dead-letter queue, every one, also those whose {@link
 * TetherEvent.UnsendableMessage} event was rate-limited.
 *
 * <p>{@code calls} counts the node's named-handler calls, made and handled ({@link CallStats}); {@code idempotency}
 * the idempotency keys of received messages ({@link IdempotencyStats}); {@code deadLetters} the dead-letter queue
 * against its bounds ({@link DeadLetterStats}).
 *
 * <p>{@code rejected}, {@code dropped} and {@code blockedSends} are send admission's over all outbound streams
 * (docs/MESSAGING.md, "Backpressure"): sends refused for want of room, messages dropped by an overflow policy
 * (DROP_NEWEST, DROP_OLDEST), and senders waiting for room now, including streams that never stored a message (and so
 * are not in {@link #streams()}); the DROPPED markers received from senders are not in {@code dropped}.
 *
 * <p>{@code publishesRejected} and {@code blockedPublishes} are the same for this node's channel logs that refuse or
 * wait when full ({@link ChannelOptions.WhenFull#REJECT}, {@link ChannelOptions.WhenFull#BLOCK}): publishes refused
 * with {@link ChannelFullException} (at once, after waiting, or offered and not taken), and publishers waiting for
 * room now.
 *
 * <p>{@code historyRecorded} counts the message history's entries this process wrote (docs/OPERATIONS.md, "Message
 * history"; 0 with history off), {@code historyEntries} the entries the store holds as far as the node knows without
 * reading it: what it held at the start, plus those recorded, less those the count bound trimmed (the age bound may
 * have removed more; {@code NodeManagement.historyStats()} reads the exact count, oldest time and payload bytes).
 *
 * <p> Totals are sums over {@link #streams()} plus node-wide counters ({@code expired} counts both directions:
 * messages received and skipped, and messages sent and expired here before they were transmitted).
 * Counters start at zero with each process; stored state (cursors, queued messages) is reloaded.
 */
public record NodeStats(
        NodeId node,
        long epoch,
        List<NodeId> connectedPeers,
        long queued,
        long inFlight,
        long delivered,
        long redelivered,
        long duplicatesDropped,
        long deadLettered,
        long expired,
        long protocolErrors,
        long connectionsRejected,
        long kickedFromCluster,
        long inboundFramesShed,
        long framesFenced,
        long framesIgnored,
        long storeFailures,
        long checksumMismatches,
        long unsendableMessages,
        long listenerErrors,
        long handlerErrors,
        long rejected,
        long dropped,
        int blockedSends,
        long publishesRejected,
        int blockedPublishes,
        long historyRecorded,
        long historyEntries,
        List<StreamStats> streams,
        CallStats calls,
        IdempotencyStats idempotency,
        DeadLetterStats deadLetters) {

    /** Copies the lists, so the snapshot stays as it was taken. */
    public NodeStats {
        connectedPeers = List.copyOf(connectedPeers);
        streams = List.copyOf(streams);
    }

    /** Every stream with {@code peer}, in both directions. */
    public List<StreamStats> streams(NodeId peer) {
        return streams.stream().filter(s -> s.peer().equals(peer)).toList();
    }

    /** The stream with this peer, lane and direction, or null. */
    public StreamStats stream(NodeId peer, String lane, StreamStats.Direction direction) {
        for (StreamStats s : streams) {
            if (s.peer().equals(peer) && s.lane().equals(lane) && s.direction() == direction) return s;
        }
        return null;
    }
}
