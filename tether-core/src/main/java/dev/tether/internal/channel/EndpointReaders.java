package dev.tether.internal.channel;

import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;

/**
 * Chooses the consumer of an accepted channel message given the one the channel layer chose (a channel handler, or
 * null for the node's handler): the bus layer adds the copies for this node's endpoints that joined the channel
 * (docs/BUS-DESIGN.md, section 10, step 11). Any thread.
 */
@FunctionalInterface
public interface EndpointReaders {
    /** The consumer of message {@code m} of {@code channel} on stream {@code key}; null: the node's handler. */
    MessageConsumer route(String channel, StreamKey key, InboundMessage m, MessageConsumer handler);
}
