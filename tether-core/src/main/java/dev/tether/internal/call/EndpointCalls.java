package dev.tether.internal.call;

import dev.tether.AsyncHandler;
import dev.tether.CallKind;
import dev.tether.Handler;
import dev.tether.HandlerNames;
import dev.tether.HandlerOptions;
import dev.tether.Lanes;
import dev.tether.Registration;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RoutedDelivery;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The named handlers of one endpoint (docs/MESSAGING.md, "Endpoints"): calls on the endpoint's lanes are routed here
 * by handler name, and run by the same {@link Callee} as the node's calls (deadlines, cancellation, replies settled
 * with the call, idempotency keys). A name the endpoint does not have is answered with {@code NoSuchHandlerException}
 * at once, unless the call waits for its handler ({@code waitForHandler()}: the bus layer holds it until the endpoint
 * has the handler, {@link #lacksHandler}). Thread-safe.
 */
public final class EndpointCalls {
    private final HandlerRegistry registry;
    private final Callee callee;
    private final MessageConsumer invalid;
    private final MessageConsumer missing;

    /** @param place where the handlers run: the endpoint's strand or executor, null for the node thread */
    EndpointCalls(Executor place, Callee callee, MessageConsumer invalid) {
        this.registry = new HandlerRegistry(place, name -> {}, () -> {});
        this.callee = callee;
        this.invalid = invalid;
        this.missing = new MessageConsumer() {
            @Override
            public Executor executor() {
                return place;
            }

            @Override
            public void consume(RoutedDelivery d) {
                missing(d);
            }
        };
    }

    public Registration handle(String name, Handler handler) {
        return registry.register(name, HandlerOptions.defaults(), callee, Objects.requireNonNull(handler), null);
    }

    public Registration handleAsync(String name, AsyncHandler handler) {
        return registry.register(name, HandlerOptions.defaults(), callee, null, Objects.requireNonNull(handler));
    }

    /** The consumer of call {@code m} on the endpoint's lane, or null if {@code m} is no call (a direct message). */
    public MessageConsumer route(InboundMessage m) {
        Map<String, String> h = m.headers();
        String k = h.isEmpty() ? null : h.get(CallHeaders.KIND);
        if (k == null) return null;
        String name = h.get(CallHeaders.HANDLER);
        if (CallHeaders.kind(k) == null || name == null || !Lanes.isValid(name) || HandlerNames.isReserved(name)) {
            return invalid; // a reply on an endpoint lane included
        }
        RegisteredHandler r = registry.find(name);
        return r != null ? r : missing;
    }

    /** Whether {@code m} is a call of a handler this endpoint does not have (now). */
    public boolean lacksHandler(InboundMessage m) {
        String k = m.headers().isEmpty() ? null : m.headers().get(CallHeaders.KIND);
        String name = k == null ? null : m.headers().get(CallHeaders.HANDLER);
        return name != null && CallHeaders.kind(k) != null && registry.find(name) == null;
    }

    private void missing(RoutedDelivery d) {
        String name = d.headers().get(CallHeaders.HANDLER);
        CallKind kind = CallHeaders.kind(d.headers().get(CallHeaders.KIND));
        RegisteredHandler h = registry.find(name); // registered since the call was routed
        if (h != null) h.consume(d);
        else callee.missingNow(d, kind, name);
    }

    /** The endpoint is closed: no more registrations. */
    public void close() {
        registry.close();
    }
}
