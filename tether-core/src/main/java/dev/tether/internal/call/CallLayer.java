package dev.tether.internal.call;

import dev.tether.AsyncHandler;
import dev.tether.Call;
import dev.tether.CallKind;
import dev.tether.CallStats;
import dev.tether.ChannelRole;
import dev.tether.Handler;
import dev.tether.HandlerNames;
import dev.tether.HandlerOptions;
import dev.tether.InvalidConfigException;
import dev.tether.Lanes;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.ProtocolException;
import dev.tether.Registration;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TransactionalCallHandler;
import dev.tether.TypeRef;
import dev.tether.TypedAsyncHandler;
import dev.tether.TypedHandler;
import dev.tether.UnknownPeerException;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.NodeFuture;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.Router;
import dev.tether.internal.runtime.StoreTransactions;
import dev.tether.spi.Codec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Named handlers and calls, on top of the stream node (docs/MESSAGING.md). A call is an ordinary message whose
 * reserved headers ({@link CallHeaders}) name the handler and the kind; this layer is the node's {@link Router}: it
 * takes calls and replies, and leaves every other message to the node's configured handler.
 *
 * <p>Threads: routing and handler calls run on the threads carrying the streams' runs; the caller's bookkeeping
 * ({@link Caller}) and the waiting calls ({@link HandlerWaiters}) belong to the node thread, where {@link #tick}
 * runs every turn.
 */
public final class CallLayer implements Router {
    private final CallHost host;
    private final CallCounters counters = new CallCounters();
    private final Caller caller;
    private final Callee callee;
    private final HandlerWaiters waiters;
    private final HandlerRegistry registry;
    private final Advertiser advertiser;
    private final PeerHandlers peerHandlers = new PeerHandlers();
    private final SystemHandlers system;
    private volatile boolean stopped;
    /** This node's channel memberships, advertised with its handlers ({@link #channels}). */
    private volatile Supplier<Map<String, ChannelRole>> memberships = Map::of;
    /** This node's endpoint names, advertised with its handlers ({@link #endpoints}). */
    private volatile Supplier<List<String>> endpointNames = List::of;
    /** The consumer of event messages ({@link Events}), or null: they are then a missing system handler's. */
    private volatile MessageConsumer events;

    private final MessageConsumer replies = new NodeThreadConsumer(this::reply, true);
    private final MessageConsumer missing = new NodeThreadConsumer(this::missing, false);
    private final MessageConsumer invalid = new NodeThreadConsumer(this::invalid, false);

    /** Sync and request calls to each peer whose future has not completed: the load {@link #pickWorker} weighs. */
    private final Outstanding outstanding = new Outstanding();

    /** The codec of typed calls the configuration gave, or null: the one on the class path. */
    private final Codec codec;

    public CallLayer(CallHost host) {
        this(host, null);
    }

    public CallLayer(CallHost host, Codec codec) {
        this.host = host;
        this.codec = codec;
        this.caller = new Caller(host, counters);
        this.callee = new Callee(host, counters);
        this.waiters = new HandlerWaiters(host);
        this.advertiser = new Advertiser(
                host,
                this::handlerNames,
                () -> Advertisement.channelEntries(memberships.get()),
                () -> endpointNames.get());
        this.registry = new HandlerRegistry(host.handlerThreads(), waiters::registered, advertiser::changed);
        this.system = new SystemHandlers(host, counters, advertiser, peerHandlers, callee);
        callee.waiters(waiters);
        waiters.registry(registry);
        peerHandlers.lookup(this::hasEndpoint);
    }

    /**
     * Advertises the channel memberships {@code memberships} gives (any thread) beside the handlers; before the node
     * starts. Call {@link #advertisedChanged} after each change.
     */
    public void channels(Supplier<Map<String, ChannelRole>> memberships) {
        this.memberships = Objects.requireNonNull(memberships, "memberships");
    }

    /** This node's channel memberships or endpoints changed (any thread): connected peers are told. */
    public void advertisedChanged() {
        advertiser.changed();
    }

    /**
     * Advertises the endpoint names {@code names} gives (any thread) beside the handlers; before the node starts. Call
     * {@link #advertisedChanged} after each change.
     */
    public void endpoints(Supplier<List<String>> names) {
        this.endpointNames = Objects.requireNonNull(names, "names");
    }

    /** Routes event messages to {@code events}; before the node starts. */
    public void events(Events events) {
        this.events = events;
    }

    // ---- routing (any thread) --------------------------------------------------------------------------

    @Override
    public MessageConsumer route(StreamKey key, InboundMessage m) {
        Map<String, String> h = m.headers();
        if (h.isEmpty()) return null;
        String k = h.get(CallHeaders.KIND);
        if (k == null) return null;
        if (CallHeaders.REPLY.equals(k)) {
            return Lanes.REPLY.equals(key.lane()) || Lanes.VOLATILE_REPLY.equals(key.lane()) ? replies : invalid;
        }
        String name = h.get(CallHeaders.HANDLER);
        if (CallHeaders.kind(k) == null || name == null || !Lanes.isValid(name)) return invalid;
        if (HandlerNames.isReserved(name)) {
            MessageConsumer e = events;
            return e != null && EventWire.HANDLER.equals(name) ? e : system;
        }
        RegisteredHandler r = registry.find(name);
        return r != null ? r : missing;
    }

    /**
     * The consumer that runs this node's handler {@code name} on a message routed to it by a routing rule (a request
     * or tell keeps its kind, a plain message is run as a tell), or null if none is registered.
     */
    public MessageConsumer handler(String name) {
        return registry.find(name);
    }

    /**
     * A call whose idempotency key was processed already: a sync or request is answered with an error reply naming
     * the original call (node thread); anything else (a tell, a reply, a plain message) is acknowledged at once.
     */
    @Override
    public MessageConsumer duplicate(StreamKey key, InboundMessage m, String originalLane, long originalSeq) {
        String k = m.headers().get(CallHeaders.KIND);
        CallKind kind = k == null ? null : CallHeaders.kind(k);
        if (kind != CallKind.SYNC && kind != CallKind.REQUEST) return null;
        return new NodeThreadConsumer(d -> callee.duplicate(d, originalLane, originalSeq), false);
    }

    /** A consumer that runs on the node thread. */
    private record NodeThreadConsumer(java.util.function.Consumer<RoutedDelivery> action, boolean seesExpired)
            implements MessageConsumer {
        @Override
        public Executor executor() {
            return null;
        }

        @Override
        public void consume(RoutedDelivery d) {
            action.accept(d);
        }
    }

    /** The caller of a call routed here (incarnation {@code senderEpoch}) withdrew it (node thread). */
    @Override
    public void cancelled(StreamKey key, long senderEpoch, long seq) {
        callee.cancelled(key, senderEpoch, seq);
    }

    /** A call routed here expired before it reached its handler (any thread): its cancel, if one came, is dropped. */
    @Override
    public void expiredUnconsumed(StreamKey key, long senderEpoch, long seq) {
        callee.cancels().take(key, senderEpoch, seq);
    }

    private void reply(RoutedDelivery d) {
        caller.reply(d);
    }

    /** A call of a handler that was not registered when the call was routed (node thread). */
    private void missing(RoutedDelivery d) {
        String name = d.headers().get(CallHeaders.HANDLER);
        CallKind kind = CallHeaders.kind(d.headers().get(CallHeaders.KIND));
        RegisteredHandler h = registry.find(name);
        if (h == null) {
            callee.missing(d, kind, name);
        } else if (h.executor() == null) {
            h.consume(d);
        } else {
            try {
                h.executor().execute(() -> h.consume(d));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                h.rejected(d, e);
            }
        }
    }

    /** Call headers that make no sense (a newer or broken peer): dropped, counted, reported (node thread). */
    private void invalid(RoutedDelivery d) {
        counters.invalidCalls.incrementAndGet();
        Map<String, String> h = d.headers();
        host.protocolError(
                d.from(),
                "invalid call headers on " + d.from() + "/" + d.lane() + "#" + d.seq()
                        + " (kind " + h.get(CallHeaders.KIND) + ", handler " + h.get(CallHeaders.HANDLER)
                        + "); message dropped");
        d.ack();
    }

    // ---- the node thread -------------------------------------------------------------------------------

    @Override
    public void volatileLost(StreamKey key, long upToSeq) {
        caller.lost(key, upToSeq);
    }

    /** Every turn of the node thread: deadlines of waiting calls and of calls waiting for a handler. */
    public void tick(long now) {
        caller.tick(now);
        waiters.tick(now);
        peerHandlers.tick(now);
    }

    /** The node reported {@code event} (node thread): connections start advertising this node's handlers. */
    public void onEvent(TetherEvent event) {
        if (event instanceof TetherEvent.PeerConnected c) peerHandlers.reconnected(c.peer());
        if (event instanceof TetherEvent.PeerDisconnected d) peerHandlers.disconnected(d.peer());
        advertiser.onEvent(event);
    }

    /** {@code peer} was removed (any thread): what it advertised, was told and withdrew is forgotten. */
    public void peerRemoved(NodeId peer) {
        host.post(now -> {
            peerHandlers.forget(peer);
            advertiser.forget(peer);
            callee.forget(peer);
        });
    }

    /** The handlers {@code peer} advertised last, sorted; empty if none (any thread). */
    public List<String> advertisedHandlers(NodeId peer) {
        return peerHandlers.handlers(peer);
    }

    /** The channels {@code peer} advertised last, with their roles, sorted by name; empty if none (any thread). */
    public Map<String, ChannelRole> advertisedChannels(NodeId peer) {
        return peerHandlers.channels(peer);
    }

    /** The counters (node thread). */
    public CallStats stats() {
        return counters.snapshot(caller.size(), waiters.size());
    }

    /** Entries this layer keeps per peer, call or cancel, by what they are (for tests). */
    Map<String, Integer> entries() {
        return Map.of(
                "outstanding", outstanding.peers(),
                "advertised", advertiser.peersKept(),
                "cancels", callee.cancels().notStarted(),
                "pending", caller.size(),
                "awaiting", peerHandlers.waiting());
    }

    /** The node stops (node thread): no more registrations; calls still waiting for replies fail. */
    public void stopping(NodeId self) {
        stopped = true;
        registry.close();
        caller.failAll(new NodeClosedException("node " + self + " shut down before the reply came"));
        peerHandlers.failAll(new NodeClosedException("node " + self + " shut down while waiting for a handler"));
    }

    // ---- the application's side -----------------------------------------------------------------------

    public Registration handle(String name, HandlerOptions options, Handler handler) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (handler instanceof TransactionalCallHandler.InTransaction<?> t) {
            StoreTransactions tx = host.transactions();
            if (tx == null) throw new InvalidConfigException("handle(" + name + "): no store transactions here");
            tx.check("handle(" + name + ")", t.type());
            return registry.register(
                    name, HandlerOptions.defaults().on(tx.executor()), callee, inTransaction(t, tx), null);
        }
        return registry.register(name, options, callee, handler, null);
    }

    /** {@code t} as a handler that runs on the store writer's thread, in a savepoint of the store's transaction. */
    private static <T> Handler inTransaction(TransactionalCallHandler.InTransaction<T> t, StoreTransactions tx) {
        return call -> {
            if (call.lane().startsWith(Lanes.VOLATILE_PREFIX)) {
                // Nothing of a volatile call is stored, so no commit would carry its writes with it.
                throw new IllegalStateException("handler '" + call.handler() + "' is transactional: it takes durable"
                        + " calls only, not volatileDelivery() ones");
            }
            byte[][] reply = new byte[1][];
            tx.<Object>run(h -> reply[0] = t.handler().handle(call, t.type().cast(h)));
            return reply[0];
        };
    }

    public Registration handleAsync(String name, HandlerOptions options, AsyncHandler handler) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        return registry.register(name, options, callee, null, handler);
    }

    public <T, R> Registration handle(
            String name, TypeRef<T> type, HandlerOptions options, TypedHandler<T, R> handler) {
        Objects.requireNonNull(options, "options");
        return handle(name, options, Typed.handler(name, type, Codecs.require(codec), handler));
    }

    public <T, R> Registration handleAsync(
            String name, TypeRef<T> type, HandlerOptions options, TypedAsyncHandler<T, R> handler) {
        return handleAsync(name, options, Typed.asyncHandler(name, type, Codecs.require(codec), handler));
    }

    /** A call of {@code handler} on whichever connected peer advertises it, picked per send ({@link #pickWorker}). */
    public Call callAny(String handler) {
        return new CallImpl(this, null, handler);
    }

    /** A connected peer advertising {@code handler}, the least loaded, round robin among equals; null if none. */
    NodeId pickWorker(String handler) {
        return peerHandlers.pick(handler, outstanding::of);
    }

    public Call call(NodeId peer, String handler) {
        HandlerNames.requireApplicationName(handler);
        return new CallImpl(this, Objects.requireNonNull(peer, "peer"), handler);
    }

    /** The named handlers of one endpoint, run at {@code place} (its strand or executor; null: the node thread). */
    public EndpointCalls endpointCalls(Executor place) {
        return new EndpointCalls(place, callee, invalid);
    }

    /**
     * A call of handler {@code handler} of the endpoint that {@code lane} of {@code peer} leads to, carrying the
     * reserved {@code headers} (the calling endpoint).
     */
    public Call callEndpoint(NodeId peer, String lane, String handler, Map<String, String> headers) {
        return new CallImpl(this, Objects.requireNonNull(peer, "peer"), handler, lane, Map.copyOf(headers));
    }

    /**
     * Answers {@code d}, a message to endpoint {@code agent} that this node does not have, if it is a call (a tell
     * settled as {@code NO_SUCH_ENDPOINT}, a sync or request with an error reply); false if it is no call.
     */
    public boolean noSuchEndpoint(RoutedDelivery d, String agent) {
        String k = d.headers().isEmpty() ? null : d.headers().get(CallHeaders.KIND);
        CallKind kind = k == null ? null : CallHeaders.kind(k);
        if (kind == null) return false;
        callee.noSuchEndpoint(d, kind, agent);
        return true;
    }

    private List<String> handlerNames() {
        return registry.names();
    }

    public CompletableFuture<Void> awaitHandler(NodeId peer, String handler, Duration timeout) {
        Objects.requireNonNull(peer, "peer");
        HandlerNames.requireApplicationName(handler);
        return awaitAdvertised(peer, false, handler, timeout);
    }

    /**
     * Completes when {@code peer} advertises endpoint {@code agent} (docs/BUS-DESIGN.md, section 1.2); fails with
     * {@code EndpointNotAdvertisedException} at {@code timeout}.
     */
    public CompletableFuture<Void> awaitEndpoint(NodeId peer, String agent, Duration timeout) {
        return awaitAdvertised(peer, true, agent, timeout);
    }

    /** The endpoints {@code peer} advertised last, sorted; empty if none (any thread). */
    public List<String> advertisedEndpoints(NodeId peer) {
        return peerHandlers.endpoints(peer);
    }

    private CompletableFuture<Void> awaitAdvertised(NodeId peer, boolean endpoint, String name, Duration timeout) {
        requirePositive(timeout);
        if (peer.equals(host.id())) {
            String what = endpoint ? "endpoints" : "handlers";
            throw new UnknownPeerException(
                    "node " + peer + " cannot wait for its own " + what + "; peers advertise theirs");
        }
        requireRunning();
        NodeFuture<Void> future = new NodeFuture<>(host::onNodeThread);
        host.post(
                now -> {
                    if (stopped) {
                        future.completeExceptionally(new NodeClosedException("node " + host.id() + " is shut down"));
                        return;
                    }
                    peerHandlers.await(peer, endpoint, name, expiry(now, timeout), timeout, future);
                },
                future);
        // Cancelled or completed by the application (orTimeout): the wait is dropped now, not at its deadline. A wait
        // the node ended is gone already: nothing to find then.
        future.whenComplete((v, e) -> host.post(now -> peerHandlers.withdraw(peer, future)));
        return future;
    }

    public CompletableFuture<List<String>> listHandlers(NodeId peer, Duration timeout) {
        Objects.requireNonNull(peer, "peer");
        requirePositive(timeout);
        requireRunning();
        long deadline = expiry(host.clock().millis(), timeout);
        CompletableFuture<Reply> request = systemRequest(peer, SystemHandlers.LIST_HANDLERS, new byte[0], deadline);
        CompletableFuture<List<String>> handlers = request.thenApply(r -> {
            Advertisement a = system.accept(peer, SystemHandlers.ANY_EPOCH, r.payloadBytes());
            if (a == null)
                throw new ProtocolException("node " + peer + " answered _list_handlers with a malformed list");
            return a.handlers();
        });
        return WithdrawnOnEnd.derived(handlers, request);
    }

    /** A request to system handler {@code handler} of {@code peer} on the reserved volatile lane. */
    private CompletableFuture<Reply> systemRequest(NodeId peer, String handler, byte[] payload, long deadline) {
        NodeFuture<Object> future = new NodeFuture<>(host::onNodeThread);
        PendingCall p = new PendingCall(CallKind.REQUEST, peer, handler, deadline, future, caller);
        withdrawnWhenEnded(p, future);
        Map<String, String> headers = CallHeaders.call(Map.of(), handler, CallKind.REQUEST, false);
        host.submit(peer, Advertiser.LANE, headers, payload, deadline, p);
        return WithdrawnOnEnd.derived(future.thenApply(r -> (Reply) r), future);
    }

    /**
     * Every endpoint of {@code peer}, sorted, asked page by page with {@code _list_endpoints} (docs/MESSAGING.md,
     * "Endpoints"); fails with the first page's failure, or at {@code timeout} for all of them. Completes on the node
     * thread.
     */
    public CompletableFuture<List<String>> listEndpoints(NodeId peer, Duration timeout) {
        Objects.requireNonNull(peer, "peer");
        requirePositive(timeout);
        if (peer.equals(host.id())) {
            throw new UnknownPeerException("node " + peer + " cannot ask itself for its endpoints; list them locally");
        }
        requireRunning();
        long deadline = expiry(host.clock().millis(), timeout);
        List<String> all = new java.util.ArrayList<>();
        PageAsking asking = new PageAsking();
        CompletableFuture<List<String>> names =
                nextPage(peer, null, all, deadline, asking).thenApply(v -> List.copyOf(all));
        names.whenComplete((v, e) -> asking.end());
        return names;
    }

    /** Asks for the page from {@code from} (inclusive; null: the first), adds it to {@code all}, then the next. */
    private CompletableFuture<Void> nextPage(
            NodeId peer, String from, List<String> all, long deadline, PageAsking asking) {
        return asking.asked(page(peer, new EndpointPages.Request(from, EndpointPages.MAX_PAGE), deadline))
                .thenCompose(p -> {
                    List<String> names = p.names();
                    int skip = from != null && !names.isEmpty() && names.get(0).equals(from) ? 1 : 0;
                    all.addAll(names.subList(skip, names.size()));
                    if (!p.more()) return CompletableFuture.completedFuture(null);
                    if (names.size() == skip) {
                        throw new ProtocolException(
                                "node " + peer + " answered _list_endpoints with an empty page that says more follow");
                    }
                    return nextPage(peer, names.get(names.size() - 1), all, deadline, asking);
                });
    }

    /** One page of {@code peer}'s endpoints. */
    CompletableFuture<EndpointPages.Page> page(NodeId peer, EndpointPages.Request request, long deadline) {
        CompletableFuture<Reply> asked = systemRequest(peer, EndpointPages.HANDLER, request.encode(), deadline);
        return WithdrawnOnEnd.derived(
                asked.thenApply(r -> {
                    try {
                        return EndpointPages.decodePage(r.payloadBytes(), request);
                    } catch (IllegalArgumentException e) {
                        counters.invalidCalls.incrementAndGet();
                        throw new ProtocolException(
                                "node " + peer + " answered _list_endpoints with a malformed page: " + e.getMessage());
                    }
                }),
                asked);
    }

    /** Whether {@code peer} has endpoint {@code agent}, asked with {@code _list_endpoints} (node thread). */
    private CompletableFuture<Boolean> hasEndpoint(NodeId peer, String agent, long deadline) {
        try {
            return page(peer, new EndpointPages.Request(agent, 1), deadline)
                    .thenApply(p -> p.names().contains(agent));
        } catch (RuntimeException e) { // removed, shutting down, queue full: the wait goes on until its deadline
            return CompletableFuture.failedFuture(e);
        }
    }

    void requireRunning() {
        if (stopped) throw new NodeClosedException("node " + host.id() + " is shut down");
    }

    private static void requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    Duration defaultCallTimeout() {
        return host.defaultCallTimeout();
    }

    SendReceipt tell(NodeId peer, String lane, Map<String, String> headers, byte[] payload, Duration ttl) {
        long expiresAt = ttl == null ? 0 : expiry(host.clock().millis(), ttl);
        return host.submit(peer, lane, headers, payload.clone(), expiresAt, null);
    }

    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> call(CallKind kind, CallImpl c, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        Duration timeout = c.timeoutOrNull() != null ? c.timeoutOrNull() : host.defaultCallTimeout();
        long deadline = expiry(host.clock().millis(), timeout);
        NodeFuture<Object> future = new NodeFuture<>(host::onNodeThread);
        PendingCall p = new PendingCall(kind, c.peer(), c.handler(), deadline, future, caller);
        withdrawnWhenEnded(p, future);
        host.submit(c.peer(), c.wireLane(), c.headersFor(kind), payload.clone(), deadline, p);
        p.countIn(outstanding); // after the submit: a send that throws is no call
        counters.callsSent.incrementAndGet();
        return (CompletableFuture<T>) (CompletableFuture<?>) future;
    }

    /**
     * Cancelled, or completed by the application itself (orTimeout): call {@code p} is withdrawn, whatever stage it is
     * at. On the completing thread: hand over.
     */
    private void withdrawnWhenEnded(PendingCall p, CompletableFuture<?> future) {
        future.whenComplete((v, e) -> {
            if (p.withdrawn()) host.post(now -> caller.withdrawn(p));
        });
    }

    /** {@code value} encoded by the codec as the payload of a call of {@code c}; throws CodecException. */
    byte[] encodeRequest(CallImpl c, Object value) {
        return Typed.encode(Codecs.require(codec), value, "the request to handler '" + c.handler() + "'");
    }

    /** A typed request: the value encoded now, the reply decoded when it comes (node thread). */
    <R> CompletableFuture<R> request(CallImpl c, Object value, TypeRef<R> replyType) {
        Objects.requireNonNull(replyType, "replyType");
        Codec codec = Codecs.require(this.codec);
        byte[] payload = Typed.encode(codec, value, "the request to handler '" + c.handler() + "'");
        CompletableFuture<Reply> raw = call(CallKind.REQUEST, c, payload);
        return Typed.decoded(raw, new NodeFuture<>(host::onNodeThread), codec, replyType, c);
    }

    /** {@code now + ttl}, saturating at the largest representable time. */
    private static long expiry(long now, Duration ttl) {
        long ms;
        try {
            ms = ttl.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
        return ms > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ms;
    }
}
