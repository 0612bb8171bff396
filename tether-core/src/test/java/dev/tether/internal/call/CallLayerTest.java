package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CallKind;
import dev.tether.HandlerOptions;
import dev.tether.InvalidIdException;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.Registration;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The router and the handler side of the call layer, with a fake node under it. */
class CallLayerTest {
    private final FakeHost host = new FakeHost();
    private final CallLayer layer = new CallLayer(host);

    private static Map<String, String> call(String handler, CallKind kind, boolean wait) {
        return CallHeaders.call(Map.of("app", "x"), handler, kind, wait);
    }

    private MessageConsumer route(String lane, Map<String, String> headers) {
        return layer.route(
                new StreamKey(NodeId.of("a"), lane), new InboundMessage(1, 0, headers, new byte[0], false, 1, 7));
    }

    private FakeDelivery deliver(String handler, CallKind kind, boolean wait, long expiresAt) {
        FakeDelivery d = FakeDelivery.of("a", handler, 7, call(handler, kind, wait), expiresAt, host);
        MessageConsumer c = layer.route(d.key, d.message);
        if (c.executor() == null) {
            c.consume(d);
        } else {
            c.executor().execute(() -> c.consume(d));
            host.runPool();
        }
        host.runPosted();
        return d;
    }

    @Test
    void messagesWithoutCallHeadersAreLeftToTheConfiguredHandler() {
        assertThat(route("default", Map.of())).isNull();
        assertThat(route("default", Map.of("k", "v", ":h", "x"))).isNull(); // no kind: not a call
    }

    @Test
    void callsGoToTheirHandlerOrToTheMissingPathAndRepliesToTheCaller() {
        Registration r = layer.handle("orders", HandlerOptions.defaults(), c -> null);
        assertThat(route("orders", call("orders", CallKind.REQUEST, false))).isSameAs(r);
        assertThat(route("any-lane", call("orders", CallKind.TELL, false))).isSameAs(r);
        MessageConsumer missing = route("other", call("other", CallKind.SYNC, false));
        assertThat(missing).isNotNull().isNotSameAs(r);
        assertThat(missing.executor()).isNull(); // answered on the node thread
        MessageConsumer replies = route(Lanes.REPLY, Map.of(":k", "p", ":c", "orders#1"));
        assertThat(replies).isNotNull().isNotIn(r, missing);
        assertThat(replies.executor()).isNull();
    }

    @Test
    void malformedCallHeadersAreInvalid() {
        MessageConsumer invalid = route("l", Map.of(":k", "z", ":h", "x"));
        assertThat(route("l", Map.of(":k", "r"))).isSameAs(invalid);
        assertThat(route("l", Map.of(":k", "r", ":h", "bad name"))).isSameAs(invalid);
        assertThat(route("l", Map.of(":k", "p", ":c", "l#1"))).isSameAs(invalid); // a reply off the reply lane
        FakeDelivery d = FakeDelivery.of("a", "l", 3, Map.of(":k", "z", ":h", "x"), 0, host);
        invalid.consume(d);
        assertThat(d.settled).isEqualTo("ack");
        assertThat(host.protocolErrors).singleElement().asString().contains("a/l#3");
        assertThat(layer.stats().invalidCalls()).isEqualTo(1);
    }

    @Test
    void namesAreValidatedAndTheUnderscorePrefixIsReserved() {
        assertThatThrownBy(() -> layer.handle("_hello", HandlerOptions.defaults(), c -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> layer.handle("a b", HandlerOptions.defaults(), c -> null))
                .isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> layer.handle("x".repeat(65), HandlerOptions.defaults(), c -> null))
                .isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> layer.call(NodeId.of("b"), "_list_handlers"))
                .isInstanceOf(IllegalArgumentException.class);
        Registration r = layer.handle("x", HandlerOptions.defaults(), c -> null);
        assertThatThrownBy(() -> layer.handle("x", HandlerOptions.defaults(), c -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already registered");
        r.close();
        assertThat(r.isActive()).isFalse();
        Registration again = layer.handle("x", HandlerOptions.defaults(), c -> null);
        assertThat(again.isActive()).isTrue();
        r.close(); // closing the old one again does not remove the new one
        assertThat(route("x", call("x", CallKind.TELL, false))).isSameAs(again);
    }

    @Test
    void aCallWithdrawnBeforeItsHandlerStartedIsSkippedAndCounted() {
        List<String> ran = new ArrayList<>();
        layer.handle("w", HandlerOptions.defaults(), c -> {
            ran.add("w");
            return null;
        });
        FakeDelivery d = FakeDelivery.of("a", "w", 7, call("w", CallKind.REQUEST, false), host.now + 5_000, host);
        MessageConsumer c = layer.route(d.key, d.message);
        layer.cancelled(d.key, FakeDelivery.EPOCH, 7); // the CANCEL came while the call waited for its turn
        c.executor().execute(() -> c.consume(d));
        host.runPool();
        assertThat(ran).isEmpty();
        assertThat(d.settled).isEqualTo("without");
        assertThat(d.outcome).isEqualTo(Outcome.CANCELLED);
        assertThat(layer.stats().cancelledBeforeStart()).isEqualTo(1);
        assertThat(layer.stats().cancelledWhileRunning()).isZero();
        assertThat(layer.stats().callsHandled()).isZero();
    }

    @Test
    void aCallWithdrawnWhileItsHandlerRunsIsCountedOnceHoweverManyCancelsCome() {
        FakeDelivery[] d = new FakeDelivery[1];
        layer.handle("w", HandlerOptions.defaults(), c -> {
            layer.cancelled(d[0].key, FakeDelivery.EPOCH, 7);
            layer.cancelled(d[0].key, FakeDelivery.EPOCH, 7); // a repeated CANCEL frame
            assertThat(c.isCancelled()).isTrue();
            return null;
        });
        d[0] = FakeDelivery.of("a", "w", 7, call("w", CallKind.REQUEST, false), host.now + 5_000, host);
        MessageConsumer c = layer.route(d[0].key, d[0].message);
        c.executor().execute(() -> c.consume(d[0]));
        host.runPool();
        host.runPosted();
        assertThat(layer.stats().cancelledWhileRunning()).isEqualTo(1);
        assertThat(layer.stats().cancelledBeforeStart()).isZero();
        assertThat(layer.stats().callsHandled()).isEqualTo(1);
    }

    @Test
    void aRequestIsAnsweredWithTheHandlersResultOnTheReplyLane() {
        layer.handle("echo", HandlerOptions.defaults(), c -> {
            c.replyHeader("seen", c.headers().get("app"));
            return c.payloadBytes();
        });
        FakeDelivery d = deliver("echo", CallKind.REQUEST, false, host.now + 5_000);
        assertThat(d.settled).isEqualTo("ackWith");
        assertThat(d.effect.to()).isEqualTo(NodeId.of("a"));
        assertThat(d.effect.lane()).isEqualTo(Lanes.REPLY);
        assertThat(d.effect.expiresAt()).isEqualTo(host.now + 5_000);
        assertThat(d.effect.headers())
                .containsEntry(":k", "p")
                .containsEntry(":c", "echo#7#5eed")
                .containsEntry("seen", "x");
        assertThat(new String(d.effect.payload())).isEqualTo("payload");
        assertThat(layer.stats().callsHandled()).isEqualTo(1);
    }

    @Test
    void aSyncCallsReplyIsEmptyAndAThrowingHandlerAnswersWithItsError() {
        layer.handle("s", HandlerOptions.defaults(), c -> "ignored".getBytes());
        FakeDelivery ok = deliver("s", CallKind.SYNC, false, host.now + 5_000);
        assertThat(ok.effect.payload()).isEmpty();
        assertThat(ok.effect.headers()).doesNotContainKey(":e");

        layer.handle("boom", HandlerOptions.defaults(), c -> {
            throw new IllegalStateException("out of stock");
        });
        FakeDelivery failed = deliver("boom", CallKind.REQUEST, false, host.now + 5_000);
        assertThat(failed.settled).isEqualTo("ackWith"); // the error is the answer: not retried
        assertThat(failed.effect.headers())
                .containsEntry(":e", "java.lang.IllegalStateException")
                .containsEntry(":m", "out of stock");
        assertThat(layer.stats().handlerFailures()).isEqualTo(1);
    }

    @Test
    void aFailingTellIsRetriedLikeAnyDeliveryAndReported() {
        layer.handle("t", HandlerOptions.defaults().onNodeThread(), c -> {
            throw new IllegalArgumentException("no");
        });
        FakeDelivery d = deliver("t", CallKind.TELL, false, 0);
        assertThat(d.settled).isEqualTo("fail");
        assertThat(d.failure).contains("IllegalArgumentException: no");
        assertThat(host.events).singleElement().asString().contains("handler 't'");
    }

    @Test
    void anExpiredCallIsNeverHandedToItsHandler() {
        int[] calls = {0};
        layer.handle("h", HandlerOptions.defaults(), c -> {
            calls[0]++;
            return null;
        });
        FakeDelivery d = deliver("h", CallKind.REQUEST, false, host.now);
        assertThat(d.settled).isEqualTo("expire");
        assertThat(calls[0]).isZero();
    }

    @Test
    void aReplyTooLargeForTheNodeBecomesAnErrorReply() {
        host.maxMessageBytes = 100;
        layer.handle("big", HandlerOptions.defaults(), c -> new byte[200]);
        FakeDelivery d = deliver("big", CallKind.REQUEST, false, host.now + 5_000);
        assertThat(d.effect.headers()).containsEntry(":e", "dev.tether.MessageTooLargeException");
        assertThat(d.effect.payload()).isEmpty();
    }

    @Test
    void anAsyncHandlerSettlesWhenItsStageCompletes() {
        CompletableFuture<byte[]> stage = new CompletableFuture<>();
        layer.handleAsync("later", HandlerOptions.defaults().onNodeThread(), c -> stage);
        FakeDelivery d = deliver("later", CallKind.REQUEST, false, host.now + 5_000);
        assertThat(d.settled).isNull();
        stage.complete("done".getBytes());
        assertThat(d.settled).isEqualTo("ackWith");
        assertThat(new String(d.effect.payload())).isEqualTo("done");

        layer.handleAsync("nullStage", HandlerOptions.defaults().onNodeThread(), c -> null);
        FakeDelivery n = deliver("nullStage", CallKind.SYNC, false, host.now + 5_000);
        assertThat(n.effect.headers()).containsEntry(":e", "java.lang.NullPointerException");

        CompletableFuture<byte[]> failing = CompletableFuture.failedFuture(new java.io.IOException("disk"));
        layer.handleAsync("failing", HandlerOptions.defaults(), c -> failing.thenApply(b -> b));
        FakeDelivery f = deliver("failing", CallKind.REQUEST, false, host.now + 5_000);
        assertThat(f.effect.headers())
                .containsEntry(":e", "java.io.IOException")
                .containsEntry(":m", "disk");
    }

    @Test
    void aCallForAMissingHandlerIsAnsweredNoSuchHandler() {
        FakeDelivery sync = deliver("nobody", CallKind.SYNC, false, host.now + 5_000);
        assertThat(sync.settled)
                .as("answered, not processed: its idempotency key stays free")
                .isEqualTo("refuseWith");
        assertThat(sync.effect.headers())
                .containsEntry(":e", CallHeaders.NO_SUCH_HANDLER)
                .containsEntry(":m", "nobody");
        FakeDelivery tell = deliver("nobody", CallKind.TELL, false, 0);
        assertThat(tell.settled).isEqualTo("without");
        assertThat(tell.outcome).isEqualTo(Outcome.NO_SUCH_HANDLER);
        assertThat(layer.stats().noSuchHandler()).isEqualTo(2);
    }

    @Test
    void aCallThatWaitsIsHandedOverWhenItsHandlerIsRegistered() {
        FakeDelivery d = deliver("soon", CallKind.REQUEST, true, host.now + 5_000);
        assertThat(d.settled).isNull();
        assertThat(layer.stats().waitingForHandler()).isEqualTo(1);
        layer.handle("soon", HandlerOptions.defaults().onNodeThread(), c -> "here".getBytes());
        host.runPosted();
        assertThat(d.settled).isEqualTo("ackWith");
        assertThat(new String(d.effect.payload())).isEqualTo("here");
        assertThat(layer.stats().waitingForHandler()).isZero();
    }

    @Test
    void aCallThatWaitsExpiresAtItsDeadlineAndOneWithoutDeadlineDoesNotWait() {
        FakeDelivery d = deliver("never", CallKind.TELL, true, host.now + 5_000);
        host.now += 4_999;
        layer.tick(host.now);
        assertThat(d.settled).isNull();
        host.now += 1;
        layer.tick(host.now);
        assertThat(d.settled).isEqualTo("expire");
        assertThat(layer.stats().waitingForHandler()).isZero();

        FakeDelivery noDeadline = deliver("never", CallKind.TELL, true, 0);
        assertThat(noDeadline.outcome).isEqualTo(Outcome.NO_SUCH_HANDLER);
    }

    @Test
    void aRemovedHandlerGetsNoNewCallsButTheOnesRoutedToItBeforeAreAnsweredNoSuchHandler() {
        Map<String, Integer> calls = new HashMap<>();
        Registration r = layer.handle("h", HandlerOptions.defaults(), c -> {
            calls.merge("h", 1, Integer::sum);
            return null;
        });
        FakeDelivery routedBefore =
                FakeDelivery.of("a", "h", 1, call("h", CallKind.SYNC, false), host.now + 5_000, host);
        MessageConsumer c = layer.route(routedBefore.key, routedBefore.message);
        r.close();
        c.consume(routedBefore);
        assertThat(routedBefore.effect.headers()).containsEntry(":e", CallHeaders.NO_SUCH_HANDLER);
        assertThat(calls).isEmpty();
    }
}
