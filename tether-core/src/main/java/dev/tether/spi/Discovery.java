package dev.tether.spi;

import dev.tether.NodeId;
import java.util.List;

/**
 * Tells a node which other nodes exist and where they may be reached. A discovery only proposes: the node
 * connects to a discovered member through its transport ({@link Transport#connect}) and admits it like any
 * other peer, so a member that cannot prove its identity, fails the node's allow-list or was removed is not
 * admitted, whoever reported it.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.DiscoveryContract} checks them.
 *
 * <ol>
 *   <li>{@link #start} is called at most once and returns without waiting for the network; a second call, or
 *       one after {@link #close}, throws {@link IllegalStateException}. After {@code close} returns no listener
 *       call is made. {@code close} is idempotent.
 *   <li>The node itself (the {@code self} given to {@code start}) is never reported.
 *   <li>Every member the discovery knows of is reported with {@link Listener#onDiscovered} soon after it learns
 *       of it, including the members it knows when {@code start} is called, with every address it knows for
 *       it (at most {@link #MAX_ADDRESSES}, each at most {@link #MAX_ADDRESS_LENGTH} characters, in the format
 *       of the transport the discovery serves; an empty list where the transport needs none). A member whose
 *       addresses change is reported again.
 *   <li>{@link Listener#onLost} is reported only for a member that was reported discovered and not lost since;
 *       a lost member that reappears is reported discovered again.
 *   <li>Listener calls are made one at a time, never concurrently, and those about one member in the order
 *       the discovery observed them.
 *   <li>What the discovery learns from other nodes is validated before it is reported. An invalid entry (an
 *       invalid node id, too many or too long addresses, addresses that do not parse, a sender claiming another
 *       id than the one it is known by) is dropped and reported with {@link Listener#onInvalid}; a message that
 *       cannot be decoded, or is larger than the implementation's documented bound, is dropped whole and
 *       reported once. The valid entries of a message are still reported. Nothing a remote sends can make the
 *       discovery hold unbounded memory.
 *   <li>An exception thrown by the listener does not stop the discovery: later events are still reported.
 * </ol>
 */
public interface Discovery extends AutoCloseable {
    /** The most addresses reported for one member. */
    int MAX_ADDRESSES = 8;

    /** The longest address reported, in characters. */
    int MAX_ADDRESS_LENGTH = 255;

    /** Starts discovering on behalf of node {@code self}; events go to {@code listener}. */
    void start(NodeId self, Listener listener);

    /** Stops discovering and releases resources; no listener call is made once this returns. */
    @Override
    void close();

    /** Receives a discovery's events. The node's implementation is thread-safe and returns quickly. */
    interface Listener {
        /** {@code member} exists and may be reached at {@code addresses} (possibly none). */
        void onDiscovered(NodeId member, List<String> addresses);

        /** {@code member} left or has not been heard of for the discovery's timeout. */
        void onLost(NodeId member);

        /**
         * A membership message or entry from {@code source} was invalid and was dropped; {@code reason} says what
         * was wrong. The node counts it as a protocol error of {@code source}.
         */
        void onInvalid(NodeId source, String reason);
    }
}
