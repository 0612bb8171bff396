package dev.tether.management;

import dev.tether.NodeId;

/**
 * Totals of one peer's streams, both directions.
 *
 * @param peer the peer
 * @param outboundStreams streams from this node to the peer
 * @param queued messages to it stored but not yet transmitted
 * @param inFlight messages to it transmitted but not yet acknowledged
 * @param sent messages transmitted to it
 * @param retransmitted messages transmitted to it again
 * @param inboundStreams streams from the peer to this node
 * @param delivered messages from it handed to the application
 * @param deadLettered messages from it moved to the dead-letter queue
 * @param expired messages expired, both directions
 */
public record PeerStatistics(
        NodeId peer,
        int outboundStreams,
        long queued,
        long inFlight,
        long sent,
        long retransmitted,
        int inboundStreams,
        long delivered,
        long deadLettered,
        long expired) {}
