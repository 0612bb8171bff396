package dev.tether.bus;

import dev.tether.SendReceipt;
import java.util.Map;

/**
 * One endpoint (agent) of a node, registered by {@link Bus#endpoint}: it receives the messages sent to its
 * {@link #address()} and sends messages as itself. Thread-safe.
 *
 * <p>A send is an ordinary Tether send (docs/MESSAGING.md, "Endpoints"): to an endpoint of this node it rides a
 * loopback stream, to another node's endpoint that node's stream; the receipt, outcomes, durability and errors are
 * those of {@code TetherNode.send}. Messages from one node to one endpoint (and sub-lane) travel on one stream: the
 * receiving endpoint gets them in the order that node sent them, which includes the order of each sending endpoint.
 */
public interface Endpoint extends AutoCloseable {
    /** This endpoint's address. */
    Address address();

    /** Sends {@code payload} to {@code to} as this endpoint. */
    SendReceipt send(Address to, byte[] payload);

    /**
     * Sends {@code payload} to {@code to} on sub-lane {@code subLane} (its own stream: ordered with the other messages
     * of that sub-lane only), with the application's {@code headers}.
     *
     * @throws NoSuchEndpointException if {@code to} is an endpoint of this node that is not registered
     * @throws dev.tether.InvalidIdException if {@code subLane} is not a valid sub-lane name
     * @throws IllegalArgumentException if {@code to} is a node address, or a header name is reserved
     * @throws dev.tether.UnknownPeerException as {@code TetherNode.send}, and the other errors of a send
     */
    SendReceipt send(Address to, String subLane, Map<String, String> headers, byte[] payload);

    /** The endpoint's counters. */
    EndpointStats stats();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /**
     * Removes the endpoint. Returns at once: a message already handed to its handler finishes; messages that reach
     * it later are settled without processing ({@code Outcome.NO_SUCH_ENDPOINT}), local sends to it throw {@link
     * NoSuchEndpointException}. Its name can be registered again.
     */
    @Override
    void close();
}
