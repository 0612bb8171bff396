package dev.tether.tracing.opentelemetry;

import dev.tether.Call;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.TypeRef;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A {@link Call} that records a span for each tell, sync and request and carries its context in the headers. */
final class TracingCall implements Call {
    private final Call call;
    private final TetherTracing tracing;

    TracingCall(Call call, TetherTracing tracing) {
        this.call = call;
        this.tracing = tracing;
    }

    @Override
    public NodeId peer() {
        return call.peer();
    }

    @Override
    public String handler() {
        return call.handler();
    }

    @Override
    public Call timeout(Duration timeout) {
        return new TracingCall(call.timeout(timeout), tracing);
    }

    @Override
    public Call header(String name, String value) {
        return new TracingCall(call.header(name, value), tracing);
    }

    @Override
    public Call lane(String lane) {
        return new TracingCall(call.lane(lane), tracing);
    }

    @Override
    public Call idempotencyKey(String key) {
        return new TracingCall(call.idempotencyKey(key), tracing);
    }

    @Override
    public Call waitForHandler() {
        return new TracingCall(call.waitForHandler(), tracing);
    }

    @Override
    public Call volatileDelivery() {
        return new TracingCall(call.volatileDelivery(), tracing);
    }

    @Override
    public SendReceipt tell(byte[] payload) {
        return told(payload.length, c -> c.tell(payload));
    }

    @Override
    public SendReceipt tellValue(Object value) {
        return told(-1, c -> c.tellValue(value));
    }

    @Override
    public CompletableFuture<Void> syncValue(Object value) {
        return traced(-1, c -> c.syncValue(value));
    }

    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    private SendReceipt told(int size, Function<Call, SendReceipt> make) {
        Span span = tracing.spans().send(call.peer(), null, call.handler(), size);
        try (Scope s = span.makeCurrent()) {
            SendReceipt receipt = make.apply(withContext());
            Spans.endWhenStored(span, receipt.accepted());
            return receipt;
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    @Override
    public CompletableFuture<Void> sync(byte[] payload) {
        return traced(payload.length, c -> c.sync(payload));
    }

    @Override
    public CompletableFuture<Reply> request(byte[] payload) {
        return traced(payload.length, c -> c.request(payload));
    }

    @Override
    public <R> CompletableFuture<R> request(Object request, Class<R> replyType) {
        return traced(-1, c -> c.request(request, replyType));
    }

    @Override
    public <R> CompletableFuture<R> request(Object request, TypeRef<R> replyType) {
        return traced(-1, c -> c.request(request, replyType));
    }

    @SuppressWarnings("try") // the scope is held for its side effect: the span is current in the body
    private <V> CompletableFuture<V> traced(int size, Function<Call, CompletableFuture<V>> make) {
        Span span = tracing.spans().call(call.peer(), call.handler(), size);
        try (Scope s = span.makeCurrent()) {
            CompletableFuture<V> f = make.apply(withContext());
            f.whenComplete((v, e) -> {
                if (e != null) Spans.fail(span, e);
                else span.end();
            });
            return f; // the caller's future itself, so its exceptions are exactly the untraced ones
        } catch (RuntimeException e) {
            Spans.fail(span, e);
            throw e;
        }
    }

    /** The call with the current context's propagation headers added. */
    private Call withContext() {
        Call[] traced = {call};
        tracing.propagator().inject(Context.current(), traced, (box, k, v) -> box[0] = box[0].header(k, v));
        return traced[0];
    }
}
