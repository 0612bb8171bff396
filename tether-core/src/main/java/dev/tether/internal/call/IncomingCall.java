package dev.tether.internal.call;

import dev.tether.CallContext;
import dev.tether.CallKind;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.internal.runtime.RoutedDelivery;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A call as its handler sees it: a view of the delivery that carries it. */
final class IncomingCall implements CallContext {
    final RoutedDelivery delivery;
    final CallKind kind;
    final String handler;
    private final NodeId self;
    private Map<String, String> replyHeaders;
    private volatile boolean cancelled;
    /** Actions to run on cancel; null once cancelled (guarded by this). */
    private List<Runnable> onCancel = new ArrayList<>();

    IncomingCall(RoutedDelivery delivery, CallKind kind, String handler, NodeId self) {
        this.delivery = delivery;
        this.kind = kind;
        this.handler = handler;
        this.self = self;
    }

    @Override
    public NodeId from() {
        return delivery.from();
    }

    @Override
    public String handler() {
        return handler;
    }

    @Override
    public CallKind kind() {
        return kind;
    }

    @Override
    public String lane() {
        return delivery.lane();
    }

    @Override
    public long seq() {
        return delivery.seq();
    }

    @Override
    public MessageId requestId() {
        return new MessageId(self, delivery.lane(), delivery.seq());
    }

    @Override
    public Map<String, String> headers() {
        return CallHeaders.application(delivery.headers());
    }

    @Override
    public ByteBuffer payload() {
        return delivery.payload();
    }

    @Override
    public byte[] payloadBytes() {
        return delivery.payloadBytes();
    }

    @Override
    public Instant deadline() {
        long at = delivery.expiresAtMillis();
        return at == 0 ? null : Instant.ofEpochMilli(at);
    }

    @Override
    public boolean isRedelivery() {
        return delivery.isRedelivery();
    }

    @Override
    public int attempt() {
        return delivery.attempt();
    }

    @Override
    public synchronized void replyHeader(String name, String value) {
        OutboundMessage.requireApplicationHeader(name);
        Objects.requireNonNull(value, "header value");
        if (replyHeaders == null) replyHeaders = new LinkedHashMap<>();
        replyHeaders.put(name, value);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        Objects.requireNonNull(action, "action");
        synchronized (this) {
            if (onCancel != null) {
                onCancel.add(action);
                return;
            }
        }
        action.run(); // cancelled already
    }

    /** The caller cancelled this call (node thread): sets the flag, then returns the actions to run. */
    List<Runnable> cancel() {
        cancelled = true;
        synchronized (this) {
            List<Runnable> actions = onCancel;
            onCancel = null;
            return actions == null ? List.of() : actions;
        }
    }

    /** The headers of the reply: the handler's, then {@code reserved}. */
    synchronized Map<String, String> replyHeaders(Map<String, String> reserved) {
        if (replyHeaders == null) return reserved;
        Map<String, String> all = new LinkedHashMap<>(replyHeaders);
        all.putAll(reserved);
        return all;
    }

    @Override
    public String toString() {
        return "Call[" + kind + " " + handler + " from " + from() + ", " + lane() + "#" + seq() + "]";
    }
}
