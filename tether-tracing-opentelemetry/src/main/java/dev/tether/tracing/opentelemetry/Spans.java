package dev.tether.tracing.opentelemetry;

import dev.tether.MessageId;
import dev.tether.NodeId;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Names, kinds and attributes of the spans {@link TetherTracing} records, in one place. */
final class Spans {
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    static final AttributeKey<String> PEER = AttributeKey.stringKey("tether.peer");
    static final AttributeKey<String> LANE = AttributeKey.stringKey("tether.lane");
    static final AttributeKey<String> HANDLER = AttributeKey.stringKey("tether.handler");
    static final AttributeKey<Long> SEQ = AttributeKey.longKey("tether.seq");
    static final AttributeKey<Boolean> REDELIVERY = AttributeKey.booleanKey("tether.redelivery");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("tether.attempt");

    private final Tracer tracer;

    Spans(Tracer tracer) {
        this.tracer = tracer;
    }

    /** A message or a tell on its way to {@code to}: ends once it is stored (accepted). */
    Span send(NodeId to, String lane, String handler, int size) {
        SpanBuilder b = tracer.spanBuilder("send " + (handler != null ? handler : lane))
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(SYSTEM, "tether")
                .setAttribute(OPERATION, "send")
                .setAttribute(DESTINATION, to == null ? handler : to.value());
        if (to != null) b.setAttribute(PEER, to.value()); // null: callAny picks the node when it sends
        if (size >= 0) b.setAttribute(BODY_SIZE, (long) size); // unknown for typed values (encoded later)
        if (lane != null) b.setAttribute(LANE, lane);
        if (handler != null) b.setAttribute(HANDLER, handler);
        return b.startSpan();
    }

    /** A publish to {@code channel}: ends once it is stored. */
    Span publish(String channel, int size) {
        return tracer.spanBuilder("publish " + channel)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(SYSTEM, "tether")
                .setAttribute(OPERATION, "send")
                .setAttribute(DESTINATION, channel)
                .setAttribute(BODY_SIZE, (long) size)
                .startSpan();
    }

    /** A request or synchronous send to {@code handler} on {@code to}: ends with its reply or failure. */
    Span call(NodeId to, String handler, int size) {
        SpanBuilder b = tracer.spanBuilder("call " + handler)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(SYSTEM, "tether")
                .setAttribute(OPERATION, "send")
                .setAttribute(DESTINATION, to == null ? handler : to.value())
                .setAttribute(HANDLER, handler);
        if (to != null) b.setAttribute(PEER, to.value()); // null: callAny picks the node when it sends
        if (size >= 0) b.setAttribute(BODY_SIZE, (long) size); // unknown for typed requests (encoded later)
        return b.startSpan();
    }

    /** A message handed out on the receiving node, child of the sender's span when the headers carry it. */
    Span deliver(Context sender, Received m) {
        return tracer.spanBuilder("deliver " + m.name())
                .setParent(sender)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SYSTEM, "tether")
                .setAttribute(OPERATION, "receive")
                .setAttribute(DESTINATION, m.name())
                .setAttribute(PEER, m.from().value())
                .setAttribute(LANE, m.lane())
                .setAttribute(SEQ, m.seq())
                .setAttribute(REDELIVERY, m.redelivery())
                .setAttribute(ATTEMPT, (long) m.attempt())
                .setAttribute(BODY_SIZE, (long) m.size())
                .startSpan();
    }

    /** The application's handler running for one message, child of its deliver span. */
    Span handle(Context deliver, String name) {
        return tracer.spanBuilder("handle " + name)
                .setParent(deliver)
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(SYSTEM, "tether")
                .setAttribute(OPERATION, "process")
                .startSpan();
    }

    /** Ends {@code span} when {@code stored} completes: with the message's id, or failed. */
    static void endWhenStored(Span span, CompletableFuture<MessageId> stored) {
        stored.whenComplete((id, e) -> {
            if (e != null) {
                fail(span, e);
            } else {
                span.setAttribute(MESSAGE_ID, id.toString());
                span.end();
            }
        });
    }

    /** Marks {@code span} failed by {@code error} (unwrapping a future's CompletionException) and ends it. */
    static void fail(Span span, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        span.recordException(cause);
        span.setStatus(StatusCode.ERROR, cause.getClass().getSimpleName());
        span.end();
    }

    /** What a deliver span describes, from a {@code Delivery} or a {@code CallContext}. */
    record Received(NodeId from, String lane, String name, long seq, boolean redelivery, int attempt, int size) {}
}
