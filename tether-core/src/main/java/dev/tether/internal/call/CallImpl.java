package dev.tether.internal.call;

import dev.tether.Call;
import dev.tether.CallKind;
import dev.tether.HandlerNames;
import dev.tether.Lanes;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.TypeRef;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** An immutable {@link Call}: each setter copies it. */
final class CallImpl implements Call {
    private final CallLayer layer;
    private final NodeId peer;
    private final String handler;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final String lane;
    private final boolean waitForHandler;
    private final boolean volatileDelivery;

    /** A call of {@code handler} on {@code peer}, or on a peer picked per send if {@code peer} is null. */
    CallImpl(CallLayer layer, NodeId peer, String handler) {
        this(layer, peer, HandlerNames.requireApplicationName(handler), null, Map.of(), handler, false, false);
    }

    /** A call of {@code handler} on {@code peer} on reserved lane {@code lane} with reserved {@code headers}. */
    CallImpl(CallLayer layer, NodeId peer, String handler, String lane, Map<String, String> headers) {
        this(layer, peer, HandlerNames.requireApplicationName(handler), null, headers, lane, false, false);
    }

    private CallImpl(
            CallLayer layer,
            NodeId peer,
            String handler,
            Duration timeout,
            Map<String, String> headers,
            String lane,
            boolean waitForHandler,
            boolean volatileDelivery) {
        this.layer = layer;
        this.peer = peer;
        this.handler = handler;
        this.timeout = timeout;
        this.headers = headers;
        this.lane = lane;
        this.waitForHandler = waitForHandler;
        this.volatileDelivery = volatileDelivery;
        if (volatileDelivery) Lanes.volatileLane(lane); // too long a lane fails here, at the setter
    }

    @Override
    public NodeId peer() {
        return peer;
    }

    @Override
    public String handler() {
        return handler;
    }

    @Override
    public Call timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return new CallImpl(layer, peer, handler, timeout, headers, lane, waitForHandler, volatileDelivery);
    }

    @Override
    public Call header(String name, String value) {
        OutboundMessage.requireApplicationHeader(name);
        Objects.requireNonNull(value, "header value");
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new CallImpl(layer, peer, handler, timeout, Map.copyOf(h), lane, waitForHandler, volatileDelivery);
    }

    @Override
    public Call lane(String lane) {
        if (this.lane.charAt(0) == '_') { // an endpoint call: its lane is the endpoint's
            throw new UnsupportedOperationException(
                    "a call to an endpoint travels on the endpoint's lane " + this.lane);
        }
        return new CallImpl(
                layer,
                peer,
                handler,
                timeout,
                headers,
                Lanes.requireApplicationLane(lane),
                waitForHandler,
                volatileDelivery);
    }

    @Override
    public Call idempotencyKey(String key) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(OutboundMessage.IDEMPOTENCY_KEY_HEADER, OutboundMessage.requireIdempotencyKey(key));
        return new CallImpl(layer, peer, handler, timeout, Map.copyOf(h), lane, waitForHandler, volatileDelivery);
    }

    @Override
    public Call waitForHandler() {
        return new CallImpl(layer, peer, handler, timeout, headers, lane, true, volatileDelivery);
    }

    @Override
    public Call volatileDelivery() {
        return new CallImpl(layer, peer, handler, timeout, headers, lane, waitForHandler, true);
    }

    /**
     * This call with its node: itself, or for a call of whichever peer advertises the handler, a copy addressed to
     * the one picked now; null if none advertises it.
     */
    private CallImpl bound() {
        if (peer != null) return this;
        layer.requireRunning(); // a closed node has no connected peer: say it is closed, not that none has the handler
        NodeId picked = layer.pickWorker(handler);
        if (picked == null) return null;
        return new CallImpl(layer, picked, handler, timeout, headers, lane, waitForHandler, volatileDelivery);
    }

    @Override
    public SendReceipt tell(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (peer == null) {
            CallImpl c = bound();
            if (c == null) throw new NoSuchHandlerException(handler);
            return c.tell(payload);
        }
        Duration ttl = timeout != null ? timeout : waitForHandler ? layer.defaultCallTimeout() : null;
        return layer.tell(
                peer, wireLane(), CallHeaders.call(headers, handler, CallKind.TELL, waitForHandler), payload, ttl);
    }

    @Override
    public CompletableFuture<Void> sync(byte[] payload) {
        CallImpl c = bound();
        if (c == null) return CompletableFuture.failedFuture(new NoSuchHandlerException(handler));
        return layer.<Void>call(CallKind.SYNC, c, payload);
    }

    @Override
    public CompletableFuture<Reply> request(byte[] payload) {
        CallImpl c = bound();
        if (c == null) return CompletableFuture.failedFuture(new NoSuchHandlerException(handler));
        return layer.<Reply>call(CallKind.REQUEST, c, payload);
    }

    @Override
    public SendReceipt tellValue(Object value) {
        return tell(layer.encodeRequest(this, value));
    }

    @Override
    public CompletableFuture<Void> syncValue(Object value) {
        return sync(layer.encodeRequest(this, value));
    }

    @Override
    public <R> CompletableFuture<R> request(Object request, Class<R> replyType) {
        return request(request, TypeRef.of(Objects.requireNonNull(replyType, "replyType")));
    }

    @Override
    public <R> CompletableFuture<R> request(Object request, TypeRef<R> replyType) {
        CallImpl c = bound();
        if (c == null) return CompletableFuture.failedFuture(new NoSuchHandlerException(handler));
        return layer.request(c, request, replyType);
    }

    String lane() {
        return lane;
    }

    /** The lane the call travels on: its lane, or the volatile lane standing for it. */
    String wireLane() {
        return volatileDelivery ? Lanes.volatileLane(lane) : lane;
    }

    Duration timeoutOrNull() {
        return timeout;
    }

    Map<String, String> headersFor(CallKind kind) {
        return CallHeaders.call(headers, handler, kind, waitForHandler);
    }

    @Override
    public String toString() {
        return "Call[" + handler + " on " + (peer == null ? "any peer advertising it" : peer) + ", lane " + lane
                + (timeout == null ? "" : ", timeout " + timeout) + (waitForHandler ? ", waits for the handler" : "")
                + (volatileDelivery ? ", volatile" : "") + "]";
    }
}
