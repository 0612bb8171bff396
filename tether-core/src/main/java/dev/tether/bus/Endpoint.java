package dev.tether.bus;

import dev.tether.AsyncHandler;
import dev.tether.Call;
import dev.tether.Handler;
import dev.tether.Registration;
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
     * Sends {@code payload} to {@code to} as this endpoint; if the receiving node has no endpoint of that name when the
     * message reaches it, the message waits there, at the head of its stream, until one is registered, at most {@code
     * waitForEndpoint} from now (by this node's clock): then it expires ({@code Outcome.EXPIRED}, as a message whose
     * time to live ran out). Its time to live is {@code waitForEndpoint} whether it waits or not. For an endpoint of
     * this node that is not registered, the send is accepted and waits the same way. The same wait for a call: {@link
     * dev.tether.Call#waitForHandler()} on a {@link #call} waits for the endpoint, and then for its handler.
     *
     * @throws IllegalArgumentException if {@code waitForEndpoint} is not positive, or as {@link #send(Address,
     *     byte[])}
     */
    SendReceipt send(Address to, byte[] payload, java.time.Duration waitForEndpoint);

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

    /**
     * Registers {@code handler} as this endpoint's named handler {@code name}: calls made with {@link #call} (or
     * {@link Bus#call}) to this endpoint and this name reach it, on the endpoint's strand (one message at a time with
     * its direct messages, unless {@link EndpointOptions#concurrent()}). Everything else is as for the node's named
     * handlers (docs/MESSAGING.md, "Handlers"): names, replies, deadlines, cancellation, idempotency keys.
     *
     * @throws dev.tether.InvalidIdException if {@code name} is not a valid handler name
     * @throws IllegalArgumentException if it is reserved
     * @throws IllegalStateException if the endpoint has a handler of that name, or is closed
     */
    Registration handle(String name, Handler handler);

    /** As {@link #handle}, for a handler that completes a stage; the endpoint stays busy until it completes. */
    Registration handleAsync(String name, AsyncHandler handler);

    /**
     * A call, as this endpoint, of the named handler {@code handler} of endpoint {@code to}: an ordinary {@link Call}
     * (tell, sync, request, typed, volatile, timeouts, idempotency keys) on the endpoint's lane; its future fails with
     * {@link NoSuchEndpointException} if {@code to}'s node has no such endpoint, with {@code NoSuchHandlerException}
     * if the endpoint has no such handler. {@link Call#lane} is not supported (an endpoint call travels on the
     * endpoint's lane).
     *
     * @throws NoSuchEndpointException if {@code to} is an endpoint of this node that is not registered
     * @throws IllegalArgumentException if {@code to} is a node address or {@code handler} is reserved
     */
    Call call(Address to, String handler);

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
