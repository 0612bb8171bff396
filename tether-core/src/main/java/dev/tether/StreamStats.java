package dev.tether;

/**
 * Counters of one stream as seen from this node. For an {@link Direction#OUTBOUND} stream ({@code peer} is
 * the receiver) {@code queued} is stored but not yet sent, {@code inFlight} sent but not yet acknowledged;
 * for an {@link Direction#INBOUND} stream ({@code peer} is the sender) {@code inFlight} counts messages
 * buffered or in the application. {@code cursor} is the last acknowledged (outbound) or processed
 * (inbound) sequence number. {@code expired} counts, inbound, messages this node skipped because their time to
 * live ran out and, outbound, messages this node expired before it ever transmitted them ({@link
 * TetherEvent.SendExpired}). {@code missed} counts, on a channel reader's stream (lane {@code _c.<channel>}), the
 * messages the publisher's retention deleted before the reader took them (the same number on both sides: {@link
 * TetherEvent.ChannelMessagesMissed} on the reader, {@link TetherEvent.ChannelMessagesDropped} on the publisher).
 * Outbound only, from send admission (docs/MESSAGING.md, "Backpressure"): {@code rejected} counts sends refused
 * because the stream was full (at once, after a wait, or an {@code offer} not taken), {@code dropped} messages its
 * overflow policy dropped (DROP_NEWEST, DROP_OLDEST), {@code blockedSends} the senders waiting for room at the moment
 * of the snapshot. Inbound, {@code dropped} counts the DROPPED markers received in place of messages the sender's
 * DROP_OLDEST dropped (settled without processing).
 */
public record StreamStats(
        NodeId peer,
        String lane,
        Direction direction,
        long cursor,
        long lastSeq,
        long queued,
        long inFlight,
        long sent,
        long retransmitted,
        long delivered,
        long redelivered,
        long duplicatesDropped,
        long deadLettered,
        long expired,
        long missed,
        boolean blocked,
        long rejected,
        long dropped,
        int blockedSends) {

    /** These counters with send admission's. */
    public StreamStats withAdmission(long rejected, long dropped, int blockedSends) {
        return new StreamStats(
                peer,
                lane,
                direction,
                cursor,
                lastSeq,
                queued,
                inFlight,
                sent,
                retransmitted,
                delivered,
                redelivered,
                duplicatesDropped,
                deadLettered,
                expired,
                missed,
                blocked,
                rejected,
                dropped,
                blockedSends);
    }

    /** Which side of the stream this node is. */
    public enum Direction {
        /** This node sends on the stream. */
        OUTBOUND,
        /** This node receives on the stream. */
        INBOUND
    }
}
