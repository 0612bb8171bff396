package dev.tether.tracing.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.RemoteHandlerException;
import dev.tether.TetherNode;
import dev.tether.TransactionalHandler;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.transport.memory.InMemoryNetwork;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real nodes (in-memory transport and stores) traced with the OpenTelemetry SDK's in-memory exporter. */
class TetherTracingTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(provider)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final TetherTracing tracing = TetherTracing.create(otel);
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Closer closing = new Closer();
    private final List<Delivery> received = new CopyOnWriteArrayList<>();
    private final List<String> handleSpanIds = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        closing.close();
        provider.close();
    }

    private TetherNode start(NodeId id, NodeId peer, MessageHandler handler) {
        TetherConfig.Builder b = TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY);
        if (handler != null) b.handler(handler);
        TetherNode node = Tether.start(b.build());
        closing.add(node);
        return node;
    }

    private MessageHandler recording() {
        return tracing.handler(d -> {
            handleSpanIds.add(Span.current().getSpanContext().getSpanId());
            received.add(d);
        });
    }

    private SpanData span(String name) {
        Await.until(DEADLINE, () -> find(name) != null, () -> "span '" + name + "' in " + names());
        return find(name);
    }

    private SpanData find(String name) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(name))
                .findFirst()
                .orElse(null);
    }

    private List<String> names() {
        return exporter.getFinishedSpanItems().stream().map(SpanData::getName).toList();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theManagementOfATracedNodeIsReachedThroughUnwrap() {
        TetherNode plain = start(A, B, null);
        TetherNode traced = tracing.wrap(plain);
        assertThatThrownBy(() -> Tether.management(traced))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TetherTracing.unwrap");
        assertThat(TetherTracing.unwrap(traced)).isSameAs(plain);
        assertThat(TetherTracing.unwrap(plain)).isSameAs(plain);
        assertThat(Tether.management(TetherTracing.unwrap(traced)).topology().node())
                .isEqualTo(A);
    }

    @Test
    @SuppressWarnings("try") // the scope makes the application's span current
    void aPublishCarriesItsContextToEachReadersDeliverSpanBesideTheApplicationsHeaders() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        TetherNode b = start(B, A, recording());
        b.join("news", dev.tether.ChannelRole.READ).get(30, TimeUnit.SECONDS);
        a.join("news", dev.tether.ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        Span app = otel.getTracer("app").spanBuilder("app").startSpan();
        try (Scope s = app.makeCurrent()) {
            a.publish("news", Map.of("x", "y"), utf8("extra")).get(30, TimeUnit.SECONDS);
        } finally {
            app.end();
        }
        SpanData publish = span("publish news");
        SpanData deliver = span("deliver _c.news");
        assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(publish.getParentSpanId()).isEqualTo(app.getSpanContext().getSpanId());
        assertThat(deliver.getTraceId()).isEqualTo(app.getSpanContext().getTraceId());
        assertThat(deliver.getParentSpanId()).isEqualTo(publish.getSpanId());
        Await.until(DEADLINE, () -> received.size() == 1, () -> "the publish at b");
        assertThat(received.get(0).headers()).containsEntry("x", "y").containsKey("traceparent");
        assertThatThrownBy(() -> a.publish("news", Map.of(":h", "x"), utf8("no")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
    }

    @Test
    @SuppressWarnings("try") // the scope makes the application's span current
    void aSendCarriesItsContextToTheReceiversDeliverAndHandleSpans() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        start(B, A, recording());
        Span app = otel.getTracer("app").spanBuilder("app").startSpan();
        try (Scope s = app.makeCurrent()) {
            Outcome outcome = a.send(OutboundMessage.to(B)
                            .lane("orders")
                            .header("x", "y")
                            .payload(utf8("hi"))
                            .build())
                    .processed()
                    .get(30, TimeUnit.SECONDS);
            assertThat(outcome).isEqualTo(Outcome.PROCESSED);
        } finally {
            app.end();
        }
        SpanData send = span("send orders");
        SpanData deliver = span("deliver orders");
        SpanData handle = span("handle orders");
        String trace = app.getSpanContext().getTraceId();
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getParentSpanId()).isEqualTo(app.getSpanContext().getSpanId());
        assertThat(send.getAttributes().get(Spans.MESSAGE_ID)).isNotBlank();
        assertThat(send.getAttributes().get(Spans.PEER)).isEqualTo("b");
        assertThat(deliver.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(deliver.getTraceId()).isEqualTo(trace);
        assertThat(deliver.getParentSpanId()).isEqualTo(send.getSpanId());
        assertThat(deliver.getAttributes().get(Spans.PEER)).isEqualTo("a");
        assertThat(deliver.getAttributes().get(Spans.SEQ))
                .isEqualTo(received.get(0).seq());
        assertThat(handle.getParentSpanId()).isEqualTo(deliver.getSpanId());
        assertThat(handleSpanIds).containsExactly(handle.getSpanId()); // current while the handler runs
        assertThat(received.get(0).headers()).containsEntry("x", "y").containsKey("traceparent");
        assertThat(received.get(0).payloadBytes()).isEqualTo(utf8("hi"));
    }

    @Test
    void anIdempotencyKeyAndTimeToLiveSurviveTheAddedHeaders() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        start(B, A, recording());
        for (int i = 0; i < 2; i++) {
            OutboundMessage m = OutboundMessage.to(B)
                    .idempotencyKey("order-17")
                    .ttl(Duration.ofMinutes(5))
                    .payload(utf8("pay once"))
                    .build();
            a.send(m).processed().get(30, TimeUnit.SECONDS);
        }
        a.send(B, utf8("after")).processed().get(30, TimeUnit.SECONDS);
        Await.until(DEADLINE, () -> received.size() == 2, () -> "received " + received);
        assertThat(received)
                .extracting(d -> new String(d.payloadBytes(), StandardCharsets.UTF_8))
                .containsExactly("pay once", "after");
    }

    @Test
    void aRequestIsOneTraceFromTheCallerThroughTheHandlerAndItsOwnSends() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, recording()));
        TetherNode b = tracing.wrap(start(B, A, null));
        b.handle("echo", call -> {
            b.send(A, "audit", utf8("echoed")); // inside the handler: continues the caller's trace
            return call.payloadBytes();
        });
        byte[] reply = a.call(B, "echo")
                .request(utf8("ping"))
                .get(30, TimeUnit.SECONDS)
                .payloadBytes();
        assertThat(reply).isEqualTo(utf8("ping"));
        SpanData call = span("call echo");
        SpanData deliver = span("deliver echo");
        SpanData handle = span("handle echo");
        SpanData audit = span("send audit");
        SpanData auditHandled = span("handle audit");
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(List.of(deliver, handle, audit, auditHandled))
                .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(call.getTraceId()));
        assertThat(deliver.getParentSpanId()).isEqualTo(call.getSpanId());
        assertThat(handle.getParentSpanId()).isEqualTo(deliver.getSpanId());
        assertThat(audit.getParentSpanId()).isEqualTo(handle.getSpanId());
        assertThat(call.getEndEpochNanos()).isGreaterThanOrEqualTo(handle.getEndEpochNanos());
    }

    @Test
    void aFailingHandlerMarksItsSpansAndTheCallersSpanFailed() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        TetherNode b = tracing.wrap(start(B, A, null));
        b.handle("boom", call -> {
            throw new IllegalStateException("out of stock");
        });
        assertThatThrownBy(() -> a.call(B, "boom").request(utf8("x")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RemoteHandlerException.class);
        SpanData call = span("call boom");
        SpanData handle = span("handle boom");
        SpanData deliver = span("deliver boom");
        assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(call.getStatus().getDescription()).isEqualTo("RemoteHandlerException");
        assertThat(handle.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(deliver.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(handle.getEvents())
                .anySatisfy(e -> assertThat(e.getAttributes().toString()).contains("out of stock"));
    }

    @Test
    void anAsynchronousHandlersSpansEndWhenItsStageCompletes() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        TetherNode b = tracing.wrap(start(B, A, null));
        CompletableFuture<byte[]> later = new CompletableFuture<>();
        AtomicReference<String> started = new AtomicReference<>();
        b.handleAsync("slow", call -> {
            started.set(Span.current().getSpanContext().getSpanId());
            return later;
        });
        CompletableFuture<Void> done = a.call(B, "slow").sync(utf8("x"));
        Await.until(DEADLINE, () -> started.get() != null, () -> "the handler never started");
        assertThat(find("handle slow")).isNull();
        assertThat(done).isNotDone();
        later.complete(new byte[0]);
        done.get(30, TimeUnit.SECONDS);
        assertThat(span("handle slow").getSpanId()).isEqualTo(started.get());
        assertThat(span("call slow").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void typedValuesAndTypedAsynchronousHandlersAreTracedToo() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        TetherNode b = tracing.wrap(start(B, A, null));
        b.handleAsync("words", String.class, (word, call) -> CompletableFuture.completedFuture(word.length()));
        a.call(B, "words").syncValue("tether").get(30, TimeUnit.SECONDS);
        a.call(B, "words").tellValue("again").processed().get(30, TimeUnit.SECONDS);
        SpanData call = span("call words");
        SpanData tell = span("send words");
        Await.until(
                DEADLINE,
                () -> exporter.getFinishedSpanItems().stream()
                                .filter(x -> x.getName().equals("handle words"))
                                .count()
                        == 2,
                () -> "two handle spans in " + names());
        assertThat(exporter.getFinishedSpanItems().stream()
                        .filter(x -> x.getName().equals("deliver words"))
                        .map(SpanData::getParentSpanId))
                .containsExactlyInAnyOrder(call.getSpanId(), tell.getSpanId());
    }

    @Test
    void pullModeRecordsADeliverSpanAndExtractGivesTheSendersContext() throws Exception {
        TetherNode a = tracing.wrap(start(A, B, null));
        TetherNode b = tracing.wrap(start(B, A, null));
        a.send(B, utf8("pull me"));
        Delivery d = b.receive(DEADLINE);
        assertThat(d).isNotNull();
        d.ack();
        SpanData send = span("send default");
        SpanData deliver = span("deliver default");
        assertThat(deliver.getParentSpanId()).isEqualTo(send.getSpanId());
        SpanContext sender = Span.fromContext(tracing.extract(d)).getSpanContext();
        assertThat(sender.getSpanId()).isEqualTo(send.getSpanId());
        assertThat(sender.isRemote()).isTrue();
    }

    @Test
    void aMessageFromAnUntracedSenderStartsItsOwnTrace() throws Exception {
        TetherNode a = start(A, B, null); // not wrapped
        start(B, A, recording());
        a.send(B, utf8("plain")).processed().get(30, TimeUnit.SECONDS);
        SpanData deliver = span("deliver default");
        assertThat(deliver.getParentSpanContext().isValid()).isFalse();
        assertThat(received.get(0).headers()).doesNotContainKey("traceparent");
        assertThat(tracing.extract(received.get(0))).isNotNull();
    }

    @Test
    void aTransactionalHandlerStaysTransactional() {
        MessageHandler inner = TransactionalHandler.inTransaction(Map.class, (d, tx) -> {});
        MessageHandler traced = tracing.handler(inner);
        assertThat(traced).isInstanceOf(TransactionalHandler.InTransaction.class);
        assertThat(((TransactionalHandler.InTransaction<?>) traced).type()).isEqualTo(Map.class);
    }
}
