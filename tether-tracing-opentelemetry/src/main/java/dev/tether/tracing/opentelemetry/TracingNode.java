package dev.tether.tracing.opentelemetry;

import dev.tether.AsyncHandler;
import dev.tether.Call;
import dev.tether.ChannelAccess;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.ChannelStart;
import dev.tether.Channels;
import dev.tether.DeadLetterView;
import dev.tether.Delivery;
import dev.tether.EventHandle;
import dev.tether.EventStats;
import dev.tether.Handler;
import dev.tether.HandlerOptions;
import dev.tether.Lanes;
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
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A node whose sends, calls and handler registrations are traced; everything else goes straight through. */
final class TracingNode implements TetherNode {
    private final TetherNode node;
    private final TetherTracing tracing;

    TracingNode(TetherNode node, TetherTracing tracing) {
        this.node = node;
        this.tracing = tracing;
    }

    /** The node this one traces. */
    TetherNode delegate() {
        return node;
    }

    @Override
    public NodeId id() {
        return node.id();
    }

    @Override
    public SendReceipt send(NodeId to, byte[] payload) {
        return send(to, Lanes.DEFAULT, payload);
    }

    /** Builds the message once, with the headers: no copy beyond the builder's own. */
    @Override
    public SendReceipt send(NodeId to, String lane, byte[] payload) {
        return traced(
                to,
                lane,
                payload.length,
                context -> withContext(OutboundMessage.to(to).lane(lane).payload(payload), context)
                        .build());
    }

    /** Rebuilds {@code message} to add the headers (the payload is copied out of it and again by the builder). */
    @Override
    public SendReceipt send(OutboundMessage message) {
        return traced(
                message.to(),
                message.lane(),
                message.payloadSize(),
                context -> withContext(copy(message), context).build());
    }

    /** Traced as {@link #send(OutboundMessage)}; the span covers the wait. */
    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    public SendReceipt send(OutboundMessage message, Duration maxWait) throws InterruptedException {
        Span span = tracing.spans().send(message.to(), message.lane(), null, message.payloadSize());
        try (Scope s = span.makeCurrent()) {
            SendReceipt receipt =
                    node.send(withContext(copy(message), Context.current()).build(), maxWait);
            Spans.endWhenStored(span, receipt.accepted());
            return receipt;
        } catch (RuntimeException | InterruptedException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    /** Traced as {@link #send(OutboundMessage)} when taken; a refusal ends the span as failed with its reason. */
    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    public OfferResult offer(OutboundMessage message) {
        Span span = tracing.spans().send(message.to(), message.lane(), null, message.payloadSize());
        try (Scope s = span.makeCurrent()) {
            OfferResult r =
                    node.offer(withContext(copy(message), Context.current()).build());
            if (r.taken()) Spans.endWhenStored(span, r.receipt().accepted());
            else Spans.fail(span, r.refusal());
            return r;
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    private SendReceipt traced(NodeId to, String lane, int size, Function<Context, OutboundMessage> message) {
        Span span = tracing.spans().send(to, lane, null, size);
        try (Scope s = span.makeCurrent()) {
            SendReceipt receipt = node.send(message.apply(Context.current()));
            Spans.endWhenStored(span, receipt.accepted());
            return receipt;
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    /** A builder of {@code m} as it is (an idempotency key is kept as one, a volatile message stays volatile). */
    private static OutboundMessage.Builder copy(OutboundMessage m) {
        ByteBuffer payload = m.payload();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        OutboundMessage.Builder b = OutboundMessage.to(m.to()).lane(m.lane()).payload(bytes);
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            if (h.getKey().equals(OutboundMessage.IDEMPOTENCY_KEY_HEADER)) b.idempotencyKey(h.getValue());
            else b.header(h.getKey(), h.getValue());
        }
        if (m.ttl() != null) b.ttl(m.ttl());
        if (m.isVolatile()) b.volatileDelivery();
        return b;
    }

    /** {@code b} with the context's propagation headers added. */
    private OutboundMessage.Builder withContext(OutboundMessage.Builder b, Context context) {
        tracing.propagator().inject(context, b, (builder, k, v) -> builder.header(k, v));
        return b;
    }

    @Override
    public Registration handle(String name, Handler handler) {
        return node.handle(name, tracing.handler(name, handler));
    }

    @Override
    public Registration handle(String name, HandlerOptions options, Handler handler) {
        return node.handle(name, options, tracing.handler(name, handler));
    }

    @Override
    public Registration handleAsync(String name, AsyncHandler handler) {
        return node.handleAsync(name, tracing.async(name, handler));
    }

    @Override
    public Registration handleAsync(String name, HandlerOptions options, AsyncHandler handler) {
        return node.handleAsync(name, options, tracing.async(name, handler));
    }

    @Override
    public <T, R> Registration handle(String name, Class<T> type, TypedHandler<T, R> handler) {
        return node.handle(name, type, tracing.typed(name, handler));
    }

    @Override
    public <T, R> Registration handle(
            String name, TypeRef<T> type, HandlerOptions options, TypedHandler<T, R> handler) {
        return node.handle(name, type, options, tracing.typed(name, handler));
    }

    @Override
    public <T, R> Registration handleAsync(String name, Class<T> type, TypedAsyncHandler<T, R> handler) {
        return node.handleAsync(name, type, tracing.typedAsync(name, handler));
    }

    @Override
    public <T, R> Registration handleAsync(
            String name, TypeRef<T> type, HandlerOptions options, TypedAsyncHandler<T, R> handler) {
        return node.handleAsync(name, type, options, tracing.typedAsync(name, handler));
    }

    @Override
    public Call call(NodeId peer, String handler) {
        return new TracingCall(node.call(peer, handler), tracing);
    }

    @Override
    public Call callAny(String handler) {
        return new TracingCall(node.callAny(handler), tracing);
    }

    @Override
    public CompletableFuture<Void> join(String channel, ChannelRole role, ChannelStart start) {
        return node.join(channel, role, start);
    }

    @Override
    public CompletableFuture<Void> leave(String channel) {
        return node.leave(channel);
    }

    @Override
    public void channelOptions(String channel, ChannelOptions options) {
        node.channelOptions(channel, options);
    }

    @Override
    public void channelAccess(String channel, ChannelAccess access) {
        node.channelAccess(channel, access);
    }

    /** A PRODUCER span until the publish is stored; the context travels in the headers to every reader. */
    @Override
    public CompletableFuture<MessageId> publish(String channel, byte[] payload) {
        return publish(channel, Map.of(), payload);
    }

    /** As {@link #publish(String, byte[])}, the context's headers added to {@code headers}. */
    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    public CompletableFuture<MessageId> publish(String channel, Map<String, String> headers, byte[] payload) {
        Span span = tracing.spans().publish(channel, payload.length);
        try (Scope s = span.makeCurrent()) {
            Map<String, String> withContext = new LinkedHashMap<>(headers);
            tracing.propagator().inject(Context.current(), withContext, (h, k, v) -> h.put(k, v));
            CompletableFuture<MessageId> f = node.publish(channel, withContext, payload);
            Spans.endWhenStored(span, f);
            return f;
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    /** As {@link #publish(String, Map, byte[])}: a PRODUCER span until stored, ended at once if not taken. */
    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    public PublishOffer offerPublish(String channel, Map<String, String> headers, byte[] payload) {
        Span span = tracing.spans().publish(channel, payload.length);
        try (Scope s = span.makeCurrent()) {
            Map<String, String> withContext = new LinkedHashMap<>(headers);
            tracing.propagator().inject(Context.current(), withContext, (h, k, v) -> h.put(k, v));
            PublishOffer o = node.offerPublish(channel, withContext, payload);
            if (o.taken()) Spans.endWhenStored(span, o.accepted());
            else Spans.fail(span, o.refusal());
            return o;
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    public CompletableFuture<MessageId> broadcast(byte[] payload) {
        Span span = tracing.spans().publish(Channels.BROADCAST, payload.length);
        try (Scope s = span.makeCurrent()) {
            CompletableFuture<MessageId> f = node.broadcast(payload);
            Spans.endWhenStored(span, f);
            return f;
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    @Override
    public Registration handleChannel(String channel, MessageHandler handler) {
        return node.handleChannel(channel, tracing.handler(handler));
    }

    @Override
    public EventHandle createEvent() {
        return node.createEvent();
    }

    @Override
    public EventHandle createEvent(String id) {
        return node.createEvent(id);
    }

    @Override
    public CompletableFuture<Void> trigger(EventHandle event) {
        return node.trigger(event);
    }

    @Override
    public CompletableFuture<Void> trigger(EventHandle event, byte[] payload) {
        return node.trigger(event, payload);
    }

    @Override
    public CompletableFuture<Void> poison(EventHandle event, String reason) {
        return node.poison(event, reason);
    }

    @Override
    public CompletableFuture<byte[]> await(EventHandle event) {
        return node.await(event);
    }

    @Override
    public EventStats eventStats() {
        return node.eventStats();
    }

    @Override
    public Delivery receive(Duration timeout) throws InterruptedException {
        Delivery d = node.receive(timeout);
        if (d != null) tracing.pulled(d);
        return d;
    }

    @Override
    public List<DeadLetterView> deadLetters(int max) {
        return node.deadLetters(max);
    }

    @Override
    public NodeStats stats() {
        return node.stats();
    }

    @Override
    public List<dev.tether.ChannelStats> channelStats() {
        return node.channelStats();
    }

    @Override
    public List<PeerInfo> peers() {
        return node.peers();
    }

    @Override
    public void addPeer(NodeId peer) {
        node.addPeer(peer);
    }

    @Override
    public void addPeer(NodeId peer, List<String> addresses) {
        node.addPeer(peer, addresses);
    }

    @Override
    public PeerRemoval removePeer(NodeId peer) {
        return node.removePeer(peer);
    }

    @Override
    public CompletableFuture<Void> awaitHandler(NodeId peer, String handler, Duration timeout) {
        return node.awaitHandler(peer, handler, timeout);
    }

    @Override
    public CompletableFuture<List<String>> listHandlers(NodeId peer, Duration timeout) {
        return node.listHandlers(peer, timeout);
    }

    @Override
    public ShutdownResult shutdown(Duration timeout) {
        return node.shutdown(timeout);
    }

    @Override
    public void close() {
        node.close();
    }

    @Override
    public String toString() {
        return "traced " + node;
    }
}
