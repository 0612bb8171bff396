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
     * As {@link #send(Address, String, Map, byte[])} ({@code subLane} null: none), but if the stream to {@code to} is
     * full (its limits: {@code TetherConfig.Builder.endpointLimits}, else the node's) this waits up to {@code maxWait}
     * for room, whatever the stream's overflow policy, behind the senders that started waiting first (as {@code
     * TetherNode.send(message, maxWait)}; docs/MESSAGING.md, "Backpressure"). Not to be confused with {@link
     * #send(Address, byte[], java.time.Duration)}, whose wait is for the endpoint at the receiving node. A send that
     * found no room in time counts as rejected in its stream's statistics and is reported ({@code TetherEvent.Overflow},
     * {@code TIMED_OUT}).
     *
     * @throws dev.tether.QueueFullException if no room came within {@code maxWait} (nothing was sent), or the node's
     *     bytes waiting for the store are at their limit
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     * @throws IllegalArgumentException if {@code maxWait} is not positive, or as {@link #send(Address, String, Map,
     *     byte[])}
     * @throws IllegalStateException on the node thread (a listener, or a handler running there), which must not wait,
     *     or if the endpoint is closed
     */
    SendReceipt send(
            Address to, String subLane, Map<String, String> headers, byte[] payload, java.time.Duration maxWait)
            throws InterruptedException;

    /**
     * Sends {@code payload} to {@code to} as {@link #send(Address, byte[])} if its stream has room now; never waits,
     * and never throws for a full stream: the result says whether it was {@linkplain dev.tether.OfferResult#taken()
     * taken} (with its receipt) or why not (as {@code TetherNode.offer}). An offer not taken counts as rejected in its
     * stream's statistics and is reported ({@code TetherEvent.Overflow}, {@code REJECTED}), whatever the stream's
     * policy.
     *
     * @throws NoSuchEndpointException if {@code to} is an endpoint of this node that is not registered
     * @throws IllegalArgumentException as {@link #send(Address, byte[])}
     * @throws IllegalStateException if the endpoint is closed
     */
    default dev.tether.OfferResult offer(Address to, byte[] payload) {
        return offer(to, null, Map.of(), payload);
    }

    /** As {@link #offer(Address, byte[])} on sub-lane {@code subLane} (null: none) with {@code headers}. */
    dev.tether.OfferResult offer(Address to, String subLane, Map<String, String> headers, byte[] payload);

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

    /**
     * Joins {@code channel} as {@code role} (replacing a role this endpoint had): from when the future completes,
     * every message published on it (by another node, by another endpoint of this node, by a routing rule's copy) is
     * copied to this endpoint if {@code role} reads, delivered on its strand as an {@link EndpointDelivery} of kind
     * {@code PUBLISH}, in each publisher's order, once (docs/MESSAGING.md, "Endpoints on channels"). This node joins
     * the channel for its endpoints (with the union of their roles) if it has not, and the future completes when that
     * join does (as {@code TetherNode.join}: a peer that is down holds it, at most the node's join timeout). A durable
     * endpoint's membership is stored (the registration of its name again, also after a restart, finds it); others'
     * end with {@link #close()}.
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it is reserved (starts with '_')
     * @throws IllegalStateException if the endpoint is closed, or if it is durable and this is the node thread (the
     *     membership is stored first)
     */
    java.util.concurrent.CompletableFuture<Void> join(String channel, dev.tether.ChannelRole role);

    /**
     * Leaves {@code channel}: nothing published there is copied to this endpoint any more (copies already made are
     * still delivered). When no endpoint of this node is a member any more, the node leaves the channel too if it
     * joined it for its endpoints; the future completes when that leave does. Leaving a channel it did not join
     * completes at once.
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it is reserved
     * @throws IllegalStateException if the endpoint is closed
     */
    java.util.concurrent.CompletableFuture<Void> leave(String channel);

    /** The channels this endpoint joined, with their roles: a copy. */
    Map<String, dev.tether.ChannelRole> channels();

    /**
     * Publishes {@code payload} on {@code channel} as this endpoint, which joined it with a role that writes: every
     * reader of the channel (nodes, and endpoints that joined it, on this node too, but not this endpoint itself)
     * gets it once, in this endpoint's publish order. The receipt is that of a send on this node's loopback publish
     * stream: {@code accepted()} completes when the publish is stored, {@code processed()} when it is numbered in this
     * node's log of the channel and copied to this node's joined endpoints (one store batch).
     *
     * @throws dev.tether.ChannelRoleException if this endpoint did not join {@code channel}, or joined it {@code READ}
     *     (a {@link dev.tether.ChannelAccessDeniedException} if this node may not publish there)
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it is reserved, or a header name is
     * @throws IllegalStateException if the endpoint is closed
     */
    SendReceipt publish(String channel, Map<String, String> headers, byte[] payload);

    /** As {@link #publish(String, Map, byte[])} without headers. */
    default SendReceipt publish(String channel, byte[] payload) {
        return publish(channel, Map.of(), payload);
    }

    /**
     * Broadcasts {@code payload} as this endpoint: every node this node knows now gets it (as {@code
     * TetherNode.broadcast}), and every endpoint of every node, this node's included but not this endpoint, unless it
     * {@linkplain EndpointOptions#ignoreBroadcasts() ignores broadcasts}, as an {@link EndpointDelivery} of kind {@code
     * BROADCAST}. The receipt as for {@link #publish}.
     *
     * @throws IllegalStateException if the endpoint is closed
     */
    SendReceipt broadcast(byte[] payload);

    /** The endpoint's counters. */
    EndpointStats stats();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /**
     * Removes the endpoint. Returns at once: a message already handed to its handler finishes; messages that reach
     * it later are settled without processing ({@code Outcome.NO_SUCH_ENDPOINT}), local sends to it throw {@link
     * NoSuchEndpointException}. Its name can be registered again. A durable endpoint keeps its channel memberships
     * (its channel messages wait for it as its direct ones do); another leaves its channels.
     */
    @Override
    void close();
}
