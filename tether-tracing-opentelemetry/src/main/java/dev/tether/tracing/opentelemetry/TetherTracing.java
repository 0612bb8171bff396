package dev.tether.tracing.opentelemetry;

import dev.tether.AsyncHandler;
import dev.tether.CallContext;
import dev.tether.Delivery;
import dev.tether.Handler;
import dev.tether.MessageHandler;
import dev.tether.TetherNode;
import dev.tether.TransactionalHandler;
import dev.tether.TypedAsyncHandler;
import dev.tether.TypedHandler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * OpenTelemetry tracing for Tether: the trace context travels in message headers (with the propagators of the
 * given {@link OpenTelemetry}, W3C {@code traceparent} by default) and each message gets spans on both sides.
 *
 * <p><b>Use.</b> {@link #wrap} a node: its {@code send}s and {@link dev.tether.Call}s carry the current context
 * and record a span; handlers registered through the wrapped node ({@code handle}, {@code handleAsync}, typed
 * handlers) record spans. The node's configured handler is given to {@code TetherConfig.Builder.handler} before the
 * node exists: wrap it with {@link #handler(MessageHandler)} (transactional handlers included). In pull mode, {@link
 * #extract(Delivery)} gives the sender's context to continue the trace.
 *
 * <p><b>Spans.</b> {@code send <lane|handler>} (PRODUCER: a message or a tell, from the call until the message is
 * stored, {@code accepted()}); {@code call <handler>} (CLIENT: a request or synchronous send, until its reply,
 * remote error or deadline); on the receiving node {@code deliver <lane|handler>} (CONSUMER, a child of the
 * sender's span) around {@code handle <lane|handler>} (INTERNAL: the application's code, current while it runs, so
 * the handler's own sends continue the trace). A handler's exception marks both failed. Attributes: {@code
 * messaging.system=tether}, the peer, lane, handler, sequence number, redelivery flag, attempt and payload size;
 * span names hold lanes and handler names, never message ids, so their number stays bounded.
 *
 * <p><b>Cost.</b> Each message carries the propagation headers (about 70 bytes for {@code traceparent}). {@code
 * send(to, [lane,] payload)} builds the message once with them; {@code send(OutboundMessage)} must rebuild the message
 * to add them, which copies the payload twice more.
 * Thread-safe; one instance serves any number of nodes.
 */
public final class TetherTracing {
    /** The instrumentation scope under which spans are recorded. */
    public static final String INSTRUMENTATION_SCOPE = "dev.tether.tracing.opentelemetry";

    private final Spans spans;
    private final TextMapPropagator propagator;

    private TetherTracing(OpenTelemetry openTelemetry) {
        this.spans = new Spans(openTelemetry.getTracer(INSTRUMENTATION_SCOPE));
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** Tracing that records with {@code openTelemetry}'s tracer and propagates with its propagators. */
    public static TetherTracing create(OpenTelemetry openTelemetry) {
        return new TetherTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /** {@code node}, with its sends, calls and handler registrations traced. Closing it closes {@code node}. */
    public TetherNode wrap(TetherNode node) {
        return new TracingNode(Objects.requireNonNull(node, "node"), this);
    }

    /**
     * The node {@code node} wraps if it is a traced node ({@link #wrap}), else {@code node}: what {@code
     * Tether.management} needs, which takes only the node {@code Tether.start} returned.
     */
    public static TetherNode unwrap(TetherNode node) {
        return node instanceof TracingNode t ? t.delegate() : Objects.requireNonNull(node, "node");
    }

    /** {@code handler}, recording deliver and handle spans; for {@code TetherConfig.Builder.handler}. */
    public MessageHandler handler(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (handler instanceof TransactionalHandler.InTransaction<?>) {
            return transactional((TransactionalHandler.InTransaction<?>) handler);
        }
        return d -> around(received(d), d.headers(), d.lane(), () -> {
            handler.onMessage(d);
            return null;
        });
    }

    /** The context the message's sender propagated ({@link Context#root()} if none), to continue its trace. */
    public Context extract(Delivery delivery) {
        return extract(delivery.headers());
    }

    /** The context the caller propagated ({@link Context#root()} if none). */
    public Context extract(CallContext call) {
        return extract(call.headers());
    }

    Spans spans() {
        return spans;
    }

    TextMapPropagator propagator() {
        return propagator;
    }

    Handler handler(String name, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        return c -> around(received(c, name), c.headers(), name, () -> handler.handle(c));
    }

    <T, R> TypedHandler<T, R> typed(String name, TypedHandler<T, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return (request, c) -> around(received(c, name), c.headers(), name, () -> handler.handle(request, c));
    }

    <T, R> TypedAsyncHandler<T, R> typedAsync(String name, TypedAsyncHandler<T, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return (request, c) -> aroundAsync(received(c, name), c.headers(), name, () -> handler.handle(request, c));
    }

    AsyncHandler async(String name, AsyncHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return c -> aroundAsync(received(c, name), c.headers(), name, () -> handler.handle(c));
    }

    /** A delivery returned by {@code receive}: a deliver span with no duration (the application takes over). */
    void pulled(Delivery d) {
        spans.deliver(extract(d.headers()), received(d)).end();
    }

    private <T> MessageHandler transactional(TransactionalHandler.InTransaction<T> t) {
        TransactionalHandler<T> inner = t.handler();
        return TransactionalHandler.inTransaction(
                t.type(),
                (d, tx) -> around(received(d), d.headers(), d.lane(), () -> {
                    inner.onMessage(d, tx);
                    return null;
                }));
    }

    private Context extract(Map<String, String> headers) {
        return propagator.extract(Context.root(), headers, HeaderCarrier.INSTANCE);
    }

    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    private <V> V around(Spans.Received m, Map<String, String> headers, String name, Body<V> body) throws Exception {
        Span deliver = spans.deliver(extract(headers), m);
        Context delivering = Context.root().with(deliver);
        Span handle = spans.handle(delivering, name);
        V result;
        try (Scope s = delivering.with(handle).makeCurrent()) {
            result = body.run();
        } catch (Throwable e) {
            Spans.fail(handle, e);
            Spans.fail(deliver, e);
            throw e;
        }
        handle.end();
        deliver.end();
        return result;
    }

    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    private <V> CompletionStage<V> aroundAsync(
            Spans.Received m, Map<String, String> headers, String name, Body<CompletionStage<V>> body)
            throws Exception {
        Span deliver = spans.deliver(extract(headers), m);
        Context delivering = Context.root().with(deliver);
        Span handle = spans.handle(delivering, name);
        CompletionStage<V> stage;
        try (Scope s = delivering.with(handle).makeCurrent()) {
            stage = body.run();
        } catch (Throwable e) {
            Spans.fail(handle, e);
            Spans.fail(deliver, e);
            throw e;
        }
        if (stage == null) {
            handle.end();
            deliver.end();
            return null; // unchanged: the node treats a null stage as it would untraced
        }
        // A side branch: the node sees the handler's own stage, with its own exception, not a wrapped one.
        stage.whenComplete((v, e) -> {
            if (e != null) {
                Spans.fail(handle, e);
                Spans.fail(deliver, e);
            } else {
                handle.end();
                deliver.end();
            }
        });
        return stage;
    }

    private static Spans.Received received(Delivery d) {
        return new Spans.Received(
                d.from(),
                d.lane(),
                d.lane(),
                d.seq(),
                d.isRedelivery(),
                d.attempt(),
                d.payload().remaining());
    }

    private static Spans.Received received(CallContext c, String name) {
        return new Spans.Received(
                c.from(),
                c.lane(),
                name,
                c.seq(),
                c.isRedelivery(),
                c.attempt(),
                c.payload().remaining());
    }

    /** The application code a span is recorded around. */
    @FunctionalInterface
    private interface Body<V> {
        V run() throws Exception;
    }
}
