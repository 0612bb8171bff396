package dev.tether.internal.bus;

import dev.tether.Call;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OfferResult;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.internal.call.CallLayer;
import dev.tether.internal.call.WithdrawnOnEnd;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.ForwardingRouter;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RouteMemo;
import dev.tether.internal.runtime.RouteRooms;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Endpoints above the node runtime (docs/BUS-DESIGN.md, section 1): the registry of this node's endpoints, sends to
 * endpoint lanes, and the node's first {@link Router}: its routing rules ({@link RuleRouting}) see every message
 * first, and those no rule took go on as addressed; messages on endpoint lanes ({@code _a.<agent>[.<sub>]}) go to
 * their endpoint, or are settled as {@link Outcome#NO_SUCH_ENDPOINT} if this node has none of that name; everything
 * else goes on to {@code next}. Thread-safe: the application's calls from any thread, routing on the threads carrying
 * the streams' runs.
 */
public final class BusLayer extends ForwardingRouter implements Bus {
    private final NodeRuntime runtime;
    private final CallLayer calls;
    private final ConcurrentHashMap<String, LocalEndpoint> endpoints = new ConcurrentHashMap<>();
    private final LongAdder noSuchEndpoint = new LongAdder();
    private final RuleRouting rules;
    private final Executor nodeThread;
    private final Function<String, RuntimeException> publishRefusal;
    private final EndpointChannels channels;
    /** Durable endpoint names (stored in {@link #DURABLE}): their messages wait while they are not registered. */
    private final Set<String> durable = ConcurrentHashMap.newKeySet();
    /** Configured endpoint names (durable by configuration, never stored, never forgotten); set before start. */
    private final Set<String> configured = ConcurrentHashMap.newKeySet();

    private final EndpointWaiters waiters = new EndpointWaiters(this);
    private final RoomWaiters full = new RoomWaiters(this);
    private final AgentNames agents = new AgentNames();
    /** Sends to endpoints, by this node's endpoints and by the node itself. */
    private final EndpointSends sends;
    /** {@link #addressed}, made once: the rules' routing takes it for every message. */
    private final BiFunction<StreamKey, InboundMessage, MessageConsumer> addressedRef = this::addressed;

    private volatile int maxEndpoints = DEFAULT_MAX_ENDPOINTS;
    private volatile boolean stopped;

    /** The key-value namespace of the durable endpoint names (the value is empty). */
    static final String DURABLE = "_endpoints";

    /** Settles a message for an endpoint this node does not have, on whatever thread routed it. */
    private final MessageConsumer missing = new MessageConsumer() {
        @Override
        public Executor executor() {
            return ANY_THREAD;
        }

        @Override
        public void consume(RoutedDelivery d) {
            missing(d);
        }
    };

    /**
     * Endpoints of {@code runtime}, whose calls {@code calls} runs, routing every message that is not for an endpoint
     * to {@code next}; its routing rules are {@code configured} (not stored) and those stored in the node's store.
     * {@code nodeChannels} are the node's channel memberships: its endpoints join channels through them, and rules that
     * copy or forward to a channel ask them whether this node may publish there.
     */
    public BusLayer(
            NodeRuntime runtime, CallLayer calls, Router next, List<Rule> configured, NodeChannels nodeChannels) {
        super(next);
        this.runtime = runtime;
        this.publishRefusal = nodeChannels::publishRefusal;
        this.calls = calls;
        this.nodeThread = r -> runtime.post(now -> r.run());
        this.sends = new EndpointSends(runtime, endpoints, durable);
        this.rules = new RuleRouting(this, new StoredRules(runtime, () -> stopped), configured, runtime::checkSize);
        durable.addAll(runtime.channels().storedKeys(DURABLE).join().keySet()); // before delivery, as the rules
        this.channels = new EndpointChannels(this, runtime, nodeChannels, () -> stopped); // and the memberships
    }

    /**
     * Declares the configured endpoints (before the node starts): their names are durable from now on, and those
     * with a handler are registered.
     */
    public void configure(List<ConfiguredEndpoint> declared) {
        for (ConfiguredEndpoint c : declared) {
            configured.add(c.name());
            durable.add(c.name());
        }
        for (ConfiguredEndpoint c : declared) {
            if (c.handler() != null) endpoint(c.name(), c.options(), c.handler());
        }
    }

    // ---- routing (any thread) ----

    @Override
    public MessageConsumer route(StreamKey key, InboundMessage m) {
        return rules.route(key, m, addressedRef);
    }

    /**
     * As {@link #route(StreamKey, InboundMessage)}, with the stream's memo (kept across its runs): while no rule is
     * enabled (checked per message, as the rules' routing does), a message on an endpoint lane goes to the endpoint the
     * lane names, which the memo keeps from the first message routed with it as long as it is open (an endpoint is
     * closed before it leaves the map, and a name is registered again only after that: a kept endpoint found closed is
     * looked up again); per message only what {@link #addressed} checks of the message itself is checked again.
     * Exactly {@code route(key, m)}.
     */
    @Override
    public MessageConsumer route(StreamKey key, InboundMessage m, RouteMemo memo) {
        if (!rules.noneEnabled()) return rules.route(key, m, addressedRef);
        if (memo.remembered() instanceof LocalEndpoint e && !e.isClosed() && !e.waitsForHandler(m)) return e.route(m);
        LocalEndpoint e = laneEndpoint(key.lane());
        memo.remember(e == null || e.isClosed() ? null : e);
        return addressed(key, m);
    }

    /** The endpoint of this node that endpoint lane {@code lane} names, or null (another lane, or none registered). */
    private LocalEndpoint laneEndpoint(String lane) {
        if (lane.charAt(0) != '_' || !EndpointLanes.isEndpointLane(lane)) return null;
        String agent = agents.of(lane);
        return agent == null ? null : endpoints.get(agent);
    }

    /** The consumer of message {@code m} of {@code key} where it was addressed (null: the configured handler). */
    private MessageConsumer addressed(StreamKey key, InboundMessage m) {
        String lane = key.lane();
        if (lane.charAt(0) != '_') return next.route(key, m);
        if (!EndpointLanes.isEndpointLane(lane)) {
            boolean publish =
                    lane.equals(EndpointLanes.PUBLISH_LANE) && key.peer().equals(runtime.id());
            return publish ? channels.publishing(m) : next.route(key, m);
        }
        String agent = agents.of(lane);
        LocalEndpoint e = agent == null ? null : endpoints.get(agent);
        if (e != null && !e.waitsForHandler(m)) return e.route(m);
        if (agent != null && (e != null || durable.contains(agent) || EndpointLanes.waits(m.headers()))) {
            return waiters.parking(agent, m);
        }
        return missing;
    }

    /**
     * The consumer of message {@code m} of application or broadcast channel {@code channel} from {@code key}'s peer,
     * which the channel layer hands to {@code handler} (null: the node's handler), with its copies to this node's
     * endpoints that read the channel; any thread.
     */
    public MessageConsumer channelMessage(String channel, StreamKey key, InboundMessage m, MessageConsumer handler) {
        return channels.received(channel, key, m, handler);
    }

    /** Settles {@code d} as for an endpoint this node does not have (a call gets its error reply). */
    void missing(RoutedDelivery d) {
        refused();
        if (!calls.noSuchEndpoint(d, EndpointLanes.agentOf(d.lane()))) d.settleWithout(Outcome.NO_SUCH_ENDPOINT);
    }

    /** The consumer of message {@code m} delivered to this node's endpoint {@code agent}, or null if it has none. */
    MessageConsumer endpointConsumer(String agent, InboundMessage m) {
        LocalEndpoint e = endpoints.get(agent);
        return e == null ? null : e.route(m);
    }

    // ---- the application ----

    @Override
    public RoutingRules rules() {
        return rules;
    }

    @Override
    public Endpoint endpoint(String name, EndpointOptions options, EndpointHandler handler) {
        Address address = Address.of(runtime.id(), name);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (stopped) throw new NodeClosedException("node " + runtime.id() + " is shut down; endpoint not registered");
        if (options.isDurable() && !durable.contains(name)) {
            requireRoom(name); // a refused registration must not leave a stored name behind (checked again below)
            StoredKeys.write(
                    runtime, () -> stopped, ChannelPort.putKey(DURABLE, name, new byte[0]), "endpoint " + name);
            durable.add(name);
        }
        LocalEndpoint e = new LocalEndpoint(
                this, address, options, handler, options.isOnNodeThread() ? null : runtime.handlerThreads());
        synchronized (this) { // the bound holds against concurrent registrations
            requireRoom(name);
            if (endpoints.putIfAbsent(name, e) != null) {
                throw new IllegalStateException(
                        "an endpoint named '" + name + "' is registered already; close it first");
            }
        }
        calls.advertisedChanged();
        waiters.registered(name);
        return e;
    }

    private void requireRoom(String name) {
        if (endpoints.size() >= maxEndpoints) {
            throw new IllegalStateException("node " + runtime.id() + " has " + endpoints.size()
                    + " endpoints, the most it may have (Bus.maxEndpoints); endpoint '" + name + "' not registered");
        }
        if (endpoints.containsKey(name)) {
            throw new IllegalStateException("an endpoint named '" + name + "' is registered already; close it first");
        }
    }

    @Override
    public boolean forget(String name) {
        Address.of(runtime.id(), name); // validates the name
        if (endpoints.containsKey(name)) {
            throw new IllegalStateException("endpoint '" + name + "' is registered; close it before forgetting it");
        }
        if (configured.contains(name)) {
            throw new IllegalStateException("endpoint '" + name
                    + "' is configured (TetherConfig.Builder.endpoint); remove it from the" + " configuration instead");
        }
        if (!durable.contains(name)) return false;
        StoredKeys.write(runtime, () -> stopped, Effect.delete(DURABLE, name), "endpoint " + name);
        durable.remove(name);
        channels.forgotten(name);
        waiters.forgotten(name);
        return true;
    }

    @Override
    public List<String> durableEndpoints() {
        List<String> l = new ArrayList<>(durable);
        l.sort(null);
        return l;
    }

    /** The endpoint registered as {@code agent} now, or null. */
    LocalEndpoint registered(String agent) {
        return endpoints.get(agent);
    }

    /** Endpoint {@code agent} registered a handler: calls waiting for it may go on. */
    void handlerAdded(String agent) {
        waiters.registered(agent);
    }

    /** Whether {@code agent} is a durable endpoint name now. */
    boolean isDurable(String agent) {
        return durable.contains(agent);
    }

    /** A direct message routed to endpoint {@code agent}, which closed before it ran: it waits if the name is durable. */
    boolean parkIfDurable(String agent, RoutedDelivery d) {
        if (!durable.contains(agent)) return false;
        waiters.park(agent, d, null);
        return true;
    }

    /** Runs {@code task} on the node thread. */
    void post(java.util.function.LongConsumer task) {
        runtime.post(task::accept);
    }

    @Override
    public Optional<Endpoint> find(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    @Override
    public List<Address> endpoints() {
        List<Address> l = new ArrayList<>();
        for (LocalEndpoint e : endpoints.values()) l.add(e.address());
        l.sort((x, y) -> x.agent().compareTo(y.agent()));
        return l;
    }

    @Override
    public SendReceipt send(Address to, byte[] payload) {
        return sends.send(null, to, null, Map.of(), payload);
    }

    @Override
    public SendReceipt send(Address to, String subLane, Map<String, String> headers, byte[] payload, Duration maxWait)
            throws InterruptedException {
        return sends.sendWithin(null, Map.of(), to, subLane, headers, payload, maxWait);
    }

    @Override
    public OfferResult offer(Address to, String subLane, Map<String, String> headers, byte[] payload) {
        return sends.offer(null, Map.of(), to, subLane, headers, payload);
    }

    @Override
    public SendReceipt broadcast(byte[] payload) {
        return channels.broadcast(null, payload);
    }

    /**
     * Every channel membership of this node's endpoints (durable ones not registered now included): per channel, sorted,
     * the endpoints' roles by name. A snapshot.
     */
    public Map<String, Map<String, dev.tether.ChannelRole>> endpointMemberships() {
        return channels.memberships();
    }

    /** Copies of {@code channel}'s messages made for this node's endpoints since the node started. */
    public long endpointCopies(String channel) {
        return channels.copies(channel);
    }

    /** The endpoint channels of this node (joins, leaves, publishes). */
    EndpointChannels channels() {
        return channels;
    }

    /**
     * The endpoints broadcasts are copied to, sorted: the registered ones that do not ignore them, and the durable
     * names not registered now.
     */
    List<String> broadcastReaders() {
        List<String> l = new ArrayList<>();
        for (LocalEndpoint e : endpoints.values()) {
            if (!e.ignoresBroadcasts()) l.add(e.address().agent());
        }
        // A durable name not registered now gets its copy stored, as its channel copies are (dropped when it is
        // registered again ignoring broadcasts: whether it does is the registration's, unknown until then).
        for (String name : durable) {
            if (!endpoints.containsKey(name)) l.add(name);
        }
        l.sort(null);
        return l;
    }

    @Override
    public SendReceipt send(Address to, byte[] payload, Duration waitForEndpoint) {
        return sends.sendWaiting(null, to, payload, waitForEndpoint);
    }

    @Override
    public Call call(Address to, String handler) {
        return call(null, to, handler);
    }

    @Override
    public int maxEndpoints() {
        return maxEndpoints;
    }

    @Override
    public void maxEndpoints(int max) {
        if (max < 1) throw new IllegalArgumentException("maxEndpoints must be at least 1, was " + max);
        maxEndpoints = max;
    }

    @Override
    public long noSuchEndpoint() {
        return noSuchEndpoint.sum();
    }

    /** Node thread, at the end of every turn: reports the routing rules' errors (rate-limited). */
    public void endOfTurn(long now) {
        rules.endOfTurn(now, runtime::emit);
        waiters.tick(now);
        full.tick(now);
    }

    /** The node stops: no more registrations. */
    public void stopping() {
        stopped = true;
    }

    // ---- for endpoints ----

    /** A call of handler {@code handler} of endpoint {@code to} by {@code fromAgent} (null: the node itself). */
    Call call(String fromAgent, Address to, String handler) {
        sends.requireEndpoint(to);
        return calls.callEndpoint(
                to.node(),
                EndpointLanes.lane(to.agent(), null),
                handler,
                fromAgent == null ? Map.of() : Map.of(EndpointLanes.FROM, fromAgent));
    }

    /** This node. */
    NodeId self() {
        return runtime.id();
    }

    /** Why a message to {@code node} would be refused (unknown or removed), or null; any thread. */
    String refusal(NodeId node) {
        return runtime.sends().refusal(node);
    }

    /** Reserves room in the target streams of a route's {@code effects}, all or none; any thread. */
    RouteRooms reserve(List<Effect> effects) {
        return runtime.sends().reserveRouted(effects);
    }

    /** Messages whose routes wait for room in a full target stream. */
    RoomWaiters full() {
        return full;
    }

    /** Why this node may not publish on {@code channel} now, or null; any thread. */
    String publishRefusal(String channel) {
        RuntimeException e = publishRefusal.apply(channel);
        return e == null ? null : e.getMessage();
    }

    /** Whether this node has an endpoint named {@code agent} now. */
    boolean hasEndpoint(String agent) {
        return endpoints.containsKey(agent);
    }

    /** The call layer (where endpoints' named handlers are run). */
    CallLayer calls() {
        return calls;
    }

    /** Sends to endpoints. */
    EndpointSends sends() {
        return sends;
    }

    /** Runs tasks on the node thread (where {@code onNodeThread()} endpoints run). */
    Executor nodeThread() {
        return nodeThread;
    }

    void removed(LocalEndpoint e) {
        if (endpoints.remove(e.address().agent(), e)) calls.advertisedChanged();
        channels.closed(e.address().agent());
    }

    /** The names of this node's endpoints now, in no order (advertised with its handlers). */
    public List<String> names() {
        return new ArrayList<>(endpoints.keySet());
    }

    @Override
    public CompletableFuture<Void> awaitEndpoint(Address address, Duration timeout) {
        Objects.requireNonNull(address, "address");
        if (address.isNode()) throw new IllegalArgumentException(address + " is a node address, not an endpoint's");
        return calls.awaitEndpoint(address.node(), address.agent(), timeout);
    }

    @Override
    public List<Address> advertised(NodeId node) {
        List<Address> l = new ArrayList<>();
        for (String agent : calls.advertisedEndpoints(Objects.requireNonNull(node, "node"))) {
            l.add(Address.of(node, agent));
        }
        return l;
    }

    @Override
    public CompletableFuture<List<Address>> listEndpoints(NodeId node, Duration timeout) {
        CompletableFuture<List<String>> names = calls.listEndpoints(Objects.requireNonNull(node, "node"), timeout);
        CompletableFuture<List<Address>> addresses = names.thenApply(n -> {
            List<Address> l = new ArrayList<>(n.size());
            for (String agent : n) l.add(Address.of(node, agent));
            return l;
        });
        return WithdrawnOnEnd.derived(addresses, names); // ended by the application: the listing is withdrawn
    }

    /** A message reached an endpoint this node does not have (or no longer has). */
    void refused() {
        noSuchEndpoint.increment();
    }

    /** Reports {@code event} from any thread. */
    void report(TetherEvent event) {
        try {
            runtime.post(now -> runtime.emit(event));
        } catch (RuntimeException closed) {
            // the node stopped: nobody listens any more
        }
    }
}
