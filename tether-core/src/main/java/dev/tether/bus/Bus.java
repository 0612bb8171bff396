package dev.tether.bus;

import dev.tether.Call;
import dev.tether.OfferResult;
import dev.tether.SendReceipt;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Many addressable endpoints (agents) in one node, sharing its store and transport (docs/MESSAGING.md,
 * "Endpoints"); reached as {@code Tether.bus(node)}, one per node. Thread-safe.
 *
 * <p>An endpoint {@code bob} of node {@code b} has the address {@code b/bob}. Messages to it travel on the lane
 * {@code _a.bob} (or {@code _a.bob.<sub-lane>}) of an ordinary stream from the sending node, with the sending
 * endpoint's name in a reserved header; local ones (to an endpoint of the same node) on a loopback stream, without
 * a network hop, stored per the node's durability like any other stream.
 */
public interface Bus {
    /** The default of {@link #maxEndpoints()}. */
    int DEFAULT_MAX_ENDPOINTS = 10_000;

    /** Registers endpoint {@code name} with {@link EndpointOptions#defaults()}. */
    default Endpoint endpoint(String name, EndpointHandler handler) {
        return endpoint(name, EndpointOptions.defaults(), handler);
    }

    /**
     * Registers endpoint {@code name}: from now on messages to {@code <this node>/<name>} reach {@code handler}.
     *
     * @throws dev.tether.InvalidIdException if {@code name} is not a valid agent name ({@link Address})
     * @throws IllegalArgumentException if it is reserved
     * @throws IllegalStateException if an endpoint of that name is registered, or {@link #maxEndpoints()} are, or
     *     a {@linkplain EndpointOptions#durable() durable} one is registered on the node thread (it waits for the
     *     store)
     * @throws dev.tether.NodeClosedException if the node is shut down
     */
    Endpoint endpoint(String name, EndpointOptions options, EndpointHandler handler);

    /**
     * Ends the durability of endpoint name {@code name} ({@link EndpointOptions#durable()}): its stored name is
     * deleted (this returns once that is durable) and the messages waiting for it are settled without processing
     * ({@code Outcome.NO_SUCH_ENDPOINT}, a call fails with {@link NoSuchEndpointException}), as later ones will be
     * while no endpoint of that name is registered. Returns false if the name was not durable.
     *
     * @throws dev.tether.InvalidIdException if {@code name} is not a valid agent name
     * @throws IllegalStateException if an endpoint of that name is registered (close it first), if the name is
     *     configured ({@code TetherConfig.Builder.endpoint}: durable by configuration), or if called on the node thread
     * @throws dev.tether.NodeClosedException if the node is shut down
     */
    boolean forget(String name);

    /**
     * The names of this node's durable endpoints (stored, or configured with {@code TetherConfig.Builder.endpoint}),
     * registered now or not, sorted.
     */
    List<String> durableEndpoints();

    /** The endpoint registered as {@code name} now, if any. */
    Optional<Endpoint> find(String name);

    /** The addresses of this node's endpoints, sorted by name. */
    List<Address> endpoints();

    /**
     * Sends {@code payload} to {@code to} from the node itself (the receiver's {@link EndpointDelivery#fromAddress()}
     * is a node address); the same rules as {@link Endpoint#send(Address, byte[])}.
     */
    SendReceipt send(Address to, byte[] payload);

    /**
     * As {@link #send(Address, byte[])} on sub-lane {@code subLane} (null: none) with {@code headers}, waiting up to
     * {@code maxWait} for room when its stream is full, whatever the stream's overflow policy; the same rules and
     * errors as {@link Endpoint#send(Address, String, Map, byte[], java.time.Duration)} (waiting senders get room in
     * the order they started waiting; a wait that ends refuses with {@link dev.tether.QueueFullException}).
     *
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    SendReceipt send(
            Address to, String subLane, Map<String, String> headers, byte[] payload, java.time.Duration maxWait)
            throws InterruptedException;

    /**
     * Sends {@code payload} to {@code to} from the node itself if its stream has room now, as {@link
     * Endpoint#offer(Address, byte[])}: never waits, never throws for a full stream; the result says whether it was
     * taken.
     */
    default OfferResult offer(Address to, byte[] payload) {
        return offer(to, null, Map.of(), payload);
    }

    /** As {@link #offer(Address, byte[])} on sub-lane {@code subLane} (null: none) with {@code headers}. */
    OfferResult offer(Address to, String subLane, Map<String, String> headers, byte[] payload);

    /**
     * Broadcasts {@code payload} as this node (as {@code TetherNode.broadcast}), and copies it to every endpoint of
     * this node that does not {@linkplain EndpointOptions#ignoreBroadcasts() ignore broadcasts}; other nodes copy it
     * to theirs. The receipt as for {@link Endpoint#publish}.
     */
    SendReceipt broadcast(byte[] payload);

    /**
     * Sends {@code payload} to {@code to} from the node itself, waiting at the receiving node up to {@code
     * waitForEndpoint} for the endpoint to be registered; the same rules as {@link Endpoint#send(Address, byte[],
     * java.time.Duration)}.
     */
    SendReceipt send(Address to, byte[] payload, java.time.Duration waitForEndpoint);

    /** A call of handler {@code handler} of endpoint {@code to} by the node itself; see {@link Endpoint#call}. */
    Call call(Address to, String handler);

    /**
     * Completes when the node of {@code address} has advertised an endpoint of that name (at once if its latest
     * advertisement has it): nodes advertise their endpoints with their handlers in their {@code _hello}, to connected
     * peers, when they connect and whenever an endpoint is registered or closed (docs/MESSAGING.md, "Endpoints"). Fails
     * with {@link EndpointNotAdvertisedException} at {@code timeout} by this node's clock, with {@code
     * NodeClosedException} if this node stops first. The future completes on the node thread. A node lists at most
     * 4,096 endpoints, the first by name, and says when it has more: a wait for one that is not listed then asks that
     * node ({@code _list_endpoints}) at once and again after each of its later advertisements, so an endpoint beyond
     * the first 4,096 is seen too.
     *
     * @throws IllegalArgumentException if {@code address} is a node address, or {@code timeout} is not positive
     * @throws dev.tether.UnknownPeerException if {@code address} is on this node (use {@link #find})
     * @throws dev.tether.NodeClosedException if the node is shut down
     */
    java.util.concurrent.CompletableFuture<Void> awaitEndpoint(Address address, java.time.Duration timeout);

    /**
     * The addresses of the endpoints {@code node} advertised last, sorted by name; empty until it advertised any. Kept
     * while it is disconnected, forgotten when it connects again (it advertises again) or is removed.
     */
    List<Address> advertised(dev.tether.NodeId node);

    /**
     * Every endpoint {@code node} has now, sorted by name, asked from it (its system handler {@code
     * _list_endpoints}, page by page), not only the first 4,096 its advertisement lists. Fails with {@code
     * CallTimeoutException} at {@code timeout} (for all the pages together), {@code ProtocolException} if the node
     * answers with a malformed page, {@code NodeClosedException} if this node stops first. The future completes on
     * the node thread; the names are those of each page when it was answered.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws dev.tether.UnknownPeerException if {@code node} is this node (use {@link #endpoints()}) or unknown
     * @throws dev.tether.NodeClosedException if the node is shut down
     */
    java.util.concurrent.CompletableFuture<List<Address>> listEndpoints(
            dev.tether.NodeId node, java.time.Duration timeout);

    /** The most endpoints this node may have at once ({@value #DEFAULT_MAX_ENDPOINTS} unless set). */
    int maxEndpoints();

    /**
     * Sets {@link #maxEndpoints()}; endpoints registered already stay.
     *
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    void maxEndpoints(int max);

    /**
     * Messages to endpoints this node does not have that were settled without processing
     * ({@code Outcome.NO_SUCH_ENDPOINT}), since the node started.
     */
    long noSuchEndpoint();

    /**
     * This node's routing rules (docs/MESSAGING.md, "Routing rules"): they run at this node on every message it
     * receives, before it reaches an endpoint, a handler or the node's consumer.
     */
    RoutingRules rules();
}
