package dev.tether.bus;

import dev.tether.Delivery;

/**
 * A message delivered to an endpoint: a {@link Delivery} that also says which endpoint sent it, to which endpoint, and
 * how it came ({@link #kind()}). A direct message's {@code from()} is the sending node and its {@code lane()} the
 * endpoint lane {@code _a.<agent>[.<sub-lane>]}; a channel message's (a publish or a broadcast, copied to each
 * endpoint of this node that joined the channel) {@code from()} is this node, its {@code lane()} the endpoint's
 * channel lane {@code _e.<agent>}, and {@link #fromAddress()} the publishing node or endpoint. {@link #headers()}
 * holds the sender's headers only, without Tether's reserved ones. Settled as any delivery.
 */
public interface EndpointDelivery extends Delivery {
    /** How the message reached the endpoint. */
    enum Kind {
        /** Sent to this endpoint by address. */
        DIRECT,
        /** Published on a channel this endpoint joined ({@link Endpoint#join}). */
        PUBLISH,
        /** Broadcast ({@link Endpoint#broadcast}, {@code TetherNode.broadcast}). */
        BROADCAST
    }

    /**
     * The sending (or publishing) endpoint; {@link Address#isNode()} if a node itself sent it ({@link Bus#send},
     * {@code TetherNode.publish}, {@code TetherNode.broadcast}).
     */
    Address fromAddress();

    /** The endpoint it was sent to. */
    Address to();

    /** The sub-lane the sender named, or null. */
    String subLane();

    /** How it reached the endpoint. */
    Kind kind();

    /** The channel of a {@link Kind#PUBLISH} ({@code Channels.BROADCAST} for a {@link Kind#BROADCAST}), else null. */
    String channel();
}
