package dev.tether.internal.node;

import dev.tether.AsyncHandler;
import dev.tether.Call;
import dev.tether.ChannelAccess;
import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.ChannelStart;
import dev.tether.ChannelStats;
import dev.tether.Channels;
import dev.tether.DeadLetterView;
import dev.tether.Delivery;
import dev.tether.EventHandle;
import dev.tether.EventStats;
import dev.tether.Handler;
import dev.tether.HandlerOptions;
import dev.tether.MessageHandler;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.OfferResult;
import dev.tether.OutboundMessage;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.PublishOffer;
import dev.tether.Registration;
import dev.tether.SendReceipt;
import dev.tether.ShutdownResult;
import dev.tether.TetherNode;
import dev.tether.TypeRef;
import dev.tether.TypedAsyncHandler;
import dev.tether.TypedHandler;
import dev.tether.bus.Bus;
import dev.tether.bus.Rule;
import dev.tether.internal.bus.BusLayer;
import dev.tether.internal.bus.ConfiguredEndpoint;
import dev.tether.internal.bus.NodeChannels;
import dev.tether.internal.call.CallLayer;
import dev.tether.internal.call.EventSettings;
import dev.tether.internal.call.Events;
import dev.tether.internal.call.HandlerSpec;
import dev.tether.internal.channel.ChannelLayer;
import dev.tether.internal.management.ManagedNode;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.NodeSettings;
import dev.tether.management.KickResult;
import dev.tether.management.NodeKickResult;
import dev.tether.management.NodeManagement;
import dev.tether.spi.Codec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A {@link TetherNode}: the stream node ({@link NodeRuntime}) with the call layer ({@link CallLayer}) plugged into
 * it. Streams, sends and statistics are the runtime's; named handlers and calls are the call layer's.
 */
public final class RealTetherNode implements TetherNode {
    private final NodeRuntime runtime;
    private final CallLayer calls;
    private final Events events;
    private final ChannelLayer channels;
    private final ManagedNode management;
    private final BusLayer bus;

    private RealTetherNode(NodeRuntime runtime, CallLayer calls, Events events, ChannelLayer channels, BusLayer bus) {
        this.runtime = runtime;
        this.bus = bus;
        this.calls = calls;
        this.events = events;
        this.channels = channels;
        ManagedNode.Kicks kicks = new ManagedNode.Kicks() {
            @Override
            public CompletableFuture<KickResult> kick(NodeId node, String channel) {
                return channels.kick(node, channel)
                        .thenApply(k -> new KickResult(channel, node, k.wasReader(), k.dropped(), k.told()));
            }

            @Override
            public CompletableFuture<List<NodeId>> readmit(NodeId node, String channel) {
                return channels.readmit(node, channel);
            }

            @Override
            public Map<String, List<NodeId>> banned() {
                return channels.banned();
            }

            @Override
            public CompletableFuture<NodeKickResult> kick(NodeId node) {
                return channels.kick(node)
                        .thenApply(k -> new NodeKickResult(node, k.wasKnown(), k.purged(), k.dropped(), k.told()));
            }

            @Override
            public CompletableFuture<List<NodeId>> readmit(NodeId node) {
                return channels.readmit(node);
            }

            @Override
            public List<NodeId> kickedNodes() {
                return channels.kickedNodes();
            }
        };
        this.management = new ManagedNode(this, runtime.operations(), runtime.clock(), channels::memberships, kicks);
    }

    /**
     * Opens the store, plugs the layers together, registers {@code handlers} and {@code channelHandlers}, installs the
     * configured routing {@code rules} and {@code endpoints} and starts the node; typed calls use {@code codec}, or the
     * one on the class path if null. All of them are in place before the node connects to any peer.
     *
     * @throws dev.tether.StoreException if the store cannot be opened
     */
    public static TetherNode start(
            NodeSettings settings,
            List<HandlerSpec> handlers,
            Map<String, MessageHandler> channelHandlers,
            Codec codec,
            EventSettings eventSettings,
            List<Rule> rules,
            List<ConfiguredEndpoint> endpoints) {
        NodeRuntime runtime = NodeRuntime.create(settings);
        RealTetherNode node;
        try {
            node = assemble(runtime, settings, handlers, channelHandlers, codec, eventSettings, rules, endpoints);
        } catch (RuntimeException | Error e) {
            runtime.abandonUnstarted(e);
            throw unwrapped(e);
        }
        runtime.start();
        node.channels.started();
        return node;
    }

    /**
     * A layer that read its stored state through the store writer failed with the writer's {@link
     * CompletionException}: its cause is what the caller was promised ({@code StoreException}).
     */
    private static RuntimeException unwrapped(Throwable e) {
        if (e instanceof CompletionException c && c.getCause() instanceof RuntimeException cause) {
            cause.addSuppressed(c);
            return cause;
        }
        if (e instanceof Error error) throw error;
        return (RuntimeException) e;
    }

    private static RealTetherNode assemble(
            NodeRuntime runtime,
            NodeSettings settings,
            List<HandlerSpec> handlers,
            Map<String, MessageHandler> channelHandlers,
            Codec codec,
            EventSettings eventSettings,
            List<Rule> rules,
            List<ConfiguredEndpoint> endpoints) {
        RuntimeCallHost host = new RuntimeCallHost(runtime);
        CallLayer calls = new CallLayer(host, codec);
        Events events = new Events(host, eventSettings);
        calls.events(events);
        for (HandlerSpec h : handlers) {
            if (h.sync() != null) calls.handle(h.name(), h.options(), h.sync());
            else calls.handleAsync(h.name(), h.options(), h.async());
        }
        ChannelLayer channels = new ChannelLayer(runtime, calls); // takes channel traffic, the rest goes on to calls
        calls.channels(channels::memberships); // _hello carries the memberships with the handlers
        channelHandlers.forEach(channels::handle); // before start: a member's first channel messages find them
        channels.onMembershipsChanged(calls::advertisedChanged);
        // rules and endpoint lanes first, then channels
        BusLayer bus = new BusLayer(runtime, calls, channels, rules, nodeChannels(channels));
        channels.endpointReaders(bus::channelMessage); // its endpoints read channels through this node
        calls.endpoints(bus::names); // and its endpoints
        bus.configure(endpoints); // before delivery starts
        runtime.router(bus);
        RealTetherNode node = new RealTetherNode(runtime, calls, events, channels, bus);
        runtime.observeEvents(e -> {
            calls.onEvent(e);
            channels.onEvent(e);
            node.management.onEvent(e);
        });
        runtime.everyTurn(
                now -> { // one task per turn (NodeLoop keeps one)
                    calls.tick(now);
                    bus.endOfTurn(now);
                });
        runtime.callStats(calls::stats);
        runtime.onStopping(now -> {
            calls.stopping(settings.nodeId());
            events.stopping();
            channels.stopping();
            bus.stopping();
        });
        return node;
    }

    /** The node's channel memberships as its endpoints use them. */
    private static NodeChannels nodeChannels(ChannelLayer channels) {
        return new NodeChannels() {
            @Override
            public CompletableFuture<Void> join(String channel, ChannelRole role) {
                return channels.join(channel, role, ChannelStart.now());
            }

            @Override
            public CompletableFuture<Void> leave(String channel) {
                return channels.leave(channel);
            }

            @Override
            public ChannelRole role(String channel) {
                return channels.role(channel);
            }

            @Override
            public RuntimeException publishRefusal(String channel) {
                return channels.publishRefusal(channel);
            }
        };
    }

    /** This node's management ({@link dev.tether.node.Tether#management}). */
    public NodeManagement management() {
        return management;
    }

    /** This node's endpoints ({@link dev.tether.node.Tether#bus}). */
    public Bus bus() {
        return bus;
    }

    /** The stream node under this one; for test support in this module's packages. */
    public NodeRuntime runtime() {
        return runtime;
    }

    /** The call layer of this node; for test support in this module's packages. */
    public CallLayer calls() {
        return calls;
    }

    @Override
    public NodeId id() {
        return runtime.id();
    }

    @Override
    public SendReceipt send(NodeId to, byte[] payload) {
        return runtime.send(to, payload);
    }

    @Override
    public SendReceipt send(NodeId to, String lane, byte[] payload) {
        return runtime.send(to, lane, payload);
    }

    @Override
    public SendReceipt send(OutboundMessage message) {
        return runtime.send(message);
    }

    @Override
    public SendReceipt send(OutboundMessage message, Duration maxWait) throws InterruptedException {
        return runtime.sends().send(message, maxWait);
    }

    @Override
    public OfferResult offer(OutboundMessage message) {
        return runtime.sends().offer(message);
    }

    @Override
    public Registration handle(String name, Handler handler) {
        return calls.handle(name, HandlerOptions.defaults(), handler);
    }

    @Override
    public Registration handle(String name, HandlerOptions options, Handler handler) {
        return calls.handle(name, options, handler);
    }

    @Override
    public Registration handleAsync(String name, AsyncHandler handler) {
        return calls.handleAsync(name, HandlerOptions.defaults(), handler);
    }

    @Override
    public Registration handleAsync(String name, HandlerOptions options, AsyncHandler handler) {
        return calls.handleAsync(name, options, handler);
    }

    @Override
    public <T, R> Registration handle(String name, Class<T> type, TypedHandler<T, R> handler) {
        return calls.handle(name, TypeRef.of(type), HandlerOptions.defaults(), handler);
    }

    @Override
    public <T, R> Registration handle(
            String name, TypeRef<T> type, HandlerOptions options, TypedHandler<T, R> handler) {
        return calls.handle(name, type, options, handler);
    }

    @Override
    public <T, R> Registration handleAsync(String name, Class<T> type, TypedAsyncHandler<T, R> handler) {
        return calls.handleAsync(name, TypeRef.of(type), HandlerOptions.defaults(), handler);
    }

    @Override
    public <T, R> Registration handleAsync(
            String name, TypeRef<T> type, HandlerOptions options, TypedAsyncHandler<T, R> handler) {
        return calls.handleAsync(name, type, options, handler);
    }

    @Override
    public Call call(NodeId peer, String handler) {
        return calls.call(peer, handler);
    }

    @Override
    public Call callAny(String handler) {
        return calls.callAny(handler);
    }

    @Override
    public CompletableFuture<Void> join(String channel, ChannelRole role, ChannelStart start) {
        return channels.join(channel, role, start);
    }

    @Override
    public CompletableFuture<Void> leave(String channel) {
        return channels.leave(channel);
    }

    @Override
    public CompletableFuture<MessageId> publish(String channel, byte[] payload) {
        return channels.publish(channel, Map.of(), payload);
    }

    @Override
    public CompletableFuture<MessageId> broadcast(byte[] payload) {
        return channels.broadcast(Map.of(), payload);
    }

    @Override
    public CompletableFuture<MessageId> publish(String channel, Map<String, String> headers, byte[] payload) {
        Objects.requireNonNull(headers, "headers");
        headers.keySet().forEach(OutboundMessage::requireApplicationHeader);
        return channels.publish(channel, headers, payload);
    }

    @Override
    public PublishOffer offerPublish(String channel, Map<String, String> headers, byte[] payload) {
        Objects.requireNonNull(headers, "headers");
        headers.keySet().forEach(OutboundMessage::requireApplicationHeader);
        RuntimeException refused = channels.publishRefusal(Channels.requireApplicationChannel(channel));
        if (refused != null) throw refused;
        try {
            return PublishOffer.taken(runtime.channels().offer(channel, headers, payload));
        } catch (ChannelFullException e) {
            return PublishOffer.refused(e);
        }
    }

    @Override
    public void channelAccess(String channel, ChannelAccess access) {
        channels.access(channel, access);
    }

    @Override
    public void channelOptions(String channel, ChannelOptions options) {
        channels.options(channel, options);
    }

    @Override
    public Registration handleChannel(String channel, MessageHandler handler) {
        runtime.channels().requireOpen(); // as handle(): a registration on a closed node would never be used
        return channels.handle(channel, handler);
    }

    @Override
    public Delivery receive(Duration timeout) throws InterruptedException {
        return runtime.receive(timeout);
    }

    @Override
    public List<DeadLetterView> deadLetters(int max) {
        return runtime.deadLetters(max);
    }

    @Override
    public NodeStats stats() {
        return runtime.stats();
    }

    @Override
    public List<ChannelStats> channelStats() {
        Map<String, ChannelRole> roles = channels.memberships();
        Map<String, Map<String, ChannelRole>> endpoints = bus.endpointMemberships();
        java.util.Set<String> joined = new java.util.TreeSet<>(roles.keySet());
        joined.addAll(endpoints.keySet());
        List<ChannelStats> l = new ArrayList<>();
        for (ChannelStats s : runtime.channels().stats(joined)) {
            String c = s.channel();
            l.add(s.withMembers(roles.get(c), endpoints.getOrDefault(c, Map.of()), bus.endpointCopies(c)));
        }
        return l;
    }

    @Override
    public List<PeerInfo> peers() {
        List<PeerInfo> l = runtime.peers();
        List<PeerInfo> out = new ArrayList<>(l.size());
        for (PeerInfo p : l) {
            out.add(p.withAdvertised(calls.advertisedHandlers(p.id()), calls.advertisedChannels(p.id())));
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> awaitHandler(NodeId peer, String handler, Duration timeout) {
        return calls.awaitHandler(peer, handler, timeout);
    }

    @Override
    public CompletableFuture<List<String>> listHandlers(NodeId peer, Duration timeout) {
        return calls.listHandlers(peer, timeout);
    }

    @Override
    public EventHandle createEvent() {
        return events.create();
    }

    @Override
    public EventHandle createEvent(String id) {
        return events.create(id);
    }

    @Override
    public CompletableFuture<Void> trigger(EventHandle event) {
        return events.trigger(event, new byte[0]);
    }

    @Override
    public CompletableFuture<Void> trigger(EventHandle event, byte[] payload) {
        return events.trigger(event, payload);
    }

    @Override
    public CompletableFuture<Void> poison(EventHandle event, String reason) {
        return events.poison(event, reason);
    }

    @Override
    public CompletableFuture<byte[]> await(EventHandle event) {
        return events.await(event);
    }

    @Override
    public EventStats eventStats() {
        return events.stats();
    }

    @Override
    public void addPeer(NodeId peer) {
        runtime.addPeer(peer);
    }

    @Override
    public void addPeer(NodeId peer, List<String> addresses) {
        runtime.addPeer(peer, addresses);
    }

    @Override
    public PeerRemoval removePeer(NodeId peer) {
        PeerRemoval r = runtime.removePeer(peer);
        calls.peerRemoved(peer);
        return r;
    }

    @Override
    public ShutdownResult shutdown(Duration timeout) {
        return runtime.shutdown(timeout);
    }

    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "TetherNode[" + id() + "]";
    }
}
