package dev.tether.bus;

import dev.tether.Delivery;

/**
 * A message delivered to an endpoint: a {@link Delivery} (its {@code from()} is the sending node, its {@code lane()}
 * the endpoint lane {@code _a.<agent>[.<sub-lane>]}) that also says which endpoint sent it and to which endpoint.
 * {@link #headers()} holds the sender's headers only, without Tether's reserved ones. Settled as any delivery.
 */
public interface EndpointDelivery extends Delivery {
    /** How the message reached the endpoint. */
    enum Kind {
        /** Sent to this endpoint by address. */
        DIRECT
    }

    /** The sending endpoint; {@link Address#isNode()} if the node itself sent it ({@link Bus#send}). */
    Address fromAddress();

    /** The endpoint it was sent to. */
    Address to();

    /** The sub-lane the sender named, or null. */
    String subLane();

    /** How it reached the endpoint; {@link Kind#DIRECT} for now. */
    Kind kind();
}
