package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.CallKind;
import dev.tether.EventHandle;
import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.TetherEvent;
import dev.tether.TypeRef;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * What the call layer keeps per peer, call and cancel is freed when that peer, call or cancel is done with: entries
 * are counted after many of each.
 */
class CallBookkeepingTest {
    private final FakeHost host = new FakeHost();
    private final CallLayer layer = new CallLayer(host, new Utf8Codec());

    /** The last send, stored as {@code seq} of its stream. */
    private void stored(long seq) {
        host.runPosted();
        FakeHost.Sent s = host.sent.get(host.sent.size() - 1);
        s.hook().accepted(new StreamKey(s.to(), s.lane()), seq);
    }

    @Test
    void aCallTheApplicationCompletesItselfIsWithdrawnAndForgotten() {
        NodeId b = NodeId.of("b");
        CompletableFuture<Reply> timedOut =
                layer.call(b, "orders").timeout(Duration.ofMinutes(1)).request(new byte[0]);
        stored(1);
        timedOut.completeExceptionally(new TimeoutException()); // what orTimeout does, on its timer thread
        CompletableFuture<Void> answered = layer.call(b, "orders").sync(new byte[0]);
        stored(2);
        answered.complete(null);
        CompletableFuture<String> typed = layer.call(b, "orders").request("q", TypeRef.of(String.class));
        stored(3);
        typed.completeExceptionally(new TimeoutException());
        host.runPosted();

        assertThat(host.cancelled)
                .containsExactly(new CallKey(b, "orders", 1), new CallKey(b, "orders", 2), new CallKey(b, "orders", 3));
        assertThat(layer.stats().pendingCalls()).isZero();
        assertThat(layer.stats().callsCancelled()).isEqualTo(3);
        assertThat(layer.entries()).containsEntry("outstanding", 0).containsEntry("pending", 0);
    }

    @Test
    void aListingTheApplicationEndsWithdrawsItsRequest() {
        NodeId b = NodeId.of("b");
        CompletableFuture<List<String>> handlers = layer.listHandlers(b, Duration.ofMinutes(1));
        stored(1);
        handlers.cancel(true);
        CompletableFuture<List<String>> endpoints = layer.listEndpoints(b, Duration.ofMinutes(1));
        stored(2);
        endpoints.completeExceptionally(new TimeoutException()); // what orTimeout does
        host.runPosted();

        assertThat(host.cancelled)
                .containsExactly(new CallKey(b, Advertiser.LANE, 1), new CallKey(b, Advertiser.LANE, 2));
        assertThat(layer.stats().pendingCalls()).isZero();
        assertThat(layer.entries()).containsEntry("outstanding", 0).containsEntry("pending", 0);
    }

    @Test
    void aWaitForAnAdvertisementTheApplicationCancelsEndsNow() {
        NodeId b = NodeId.of("b");
        CompletableFuture<Void> cancelled = layer.awaitHandler(b, "orders", Duration.ofDays(365));
        CompletableFuture<Void> timedOut = layer.awaitEndpoint(b, "agent", Duration.ofDays(365));
        host.runPosted();
        assertThat(layer.entries()).containsEntry("awaiting", 2);
        cancelled.cancel(true);
        timedOut.completeExceptionally(new TimeoutException());
        host.runPosted();
        assertThat(layer.entries()).containsEntry("awaiting", 0);
    }

    @Test
    void anAwaitOfAnEventTheApplicationCancelsIsDroppedNow() {
        Events events = new Events(host, EventSettings.DEFAULTS);
        EventHandle own = events.create("job");
        host.runPosted();
        List<CompletableFuture<byte[]>> awaits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            awaits.add(events.await(own));
            awaits.add(events.await(new EventHandle(NodeId.of("b"), "job" + i, 1)));
        }
        host.runPosted();
        assertThat(events.waiting()).isEqualTo(20);
        assertThat(events.stats().awaitingRemote()).isEqualTo(10);
        for (int i = 0; i < awaits.size(); i++) {
            if (i % 2 == 0) awaits.get(i).cancel(true);
            else awaits.get(i).completeExceptionally(new TimeoutException()); // orTimeout
        }
        host.runPosted();
        assertThat(events.waiting()).isZero();
        assertThat(events.stats().awaitingRemote()).isZero();
    }

    @Test
    void theCountOfOutstandingCallsKeepsNoEntryForAPeerWithNone() {
        for (int i = 0; i < 100; i++) {
            NodeId peer = NodeId.of("p" + i);
            CompletableFuture<Void> f = layer.call(peer, "orders").sync(new byte[0]);
            stored(1);
            assertThat(layer.pickWorker("orders")).isNull(); // nobody advertises it: only the count matters here
            f.cancel(true);
        }
        host.runPosted();
        assertThat(layer.entries()).containsEntry("outstanding", 0).containsEntry("pending", 0);
    }

    @Test
    void theAdvertiserForgetsARemovedPeer() {
        layer.handle("orders", HandlerOptions.defaults(), c -> null);
        for (int i = 0; i < 50; i++) {
            NodeId peer = NodeId.of("p" + i);
            layer.onEvent(new TetherEvent.PeerConnected(peer));
            host.runPosted();
            layer.onEvent(new TetherEvent.PeerDisconnected(peer));
            layer.peerRemoved(peer);
            host.runPosted();
        }
        assertThat(host.sent).hasSize(50); // each was told
        assertThat(layer.entries()).containsEntry("advertised", 0);
    }

    @Test
    void cancelsOfCallsThatNeverStartAreFreed() {
        for (long seq = 1; seq <= 100; seq++) { // answered "no such handler", withdrawn after the hand-out
            FakeDelivery d = FakeDelivery.of(
                    "a", "gone", seq, CallHeaders.call(Map.of(), "gone", CallKind.REQUEST, false), 0, host);
            MessageConsumer c = layer.route(d.key, d.message);
            layer.cancelled(d.key, FakeDelivery.EPOCH, seq);
            c.consume(d);
        }
        assertThat(layer.entries()).containsEntry("cancels", 0);
        for (long seq = 1; seq <= 5_000; seq++)
            layer.cancelled(new StreamKey(NodeId.of("a"), "x"), FakeDelivery.EPOCH, seq);
        assertThat(layer.entries().get("cancels")).isLessThanOrEqualTo(Cancels.MAX_PER_STREAM);
        layer.peerRemoved(NodeId.of("a"));
        host.runPosted();
        assertThat(layer.entries()).containsEntry("cancels", 0);
    }
}
