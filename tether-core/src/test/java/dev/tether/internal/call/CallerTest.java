package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.DeadlineExceededException;
import dev.tether.Lanes;
import dev.tether.MessageId;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.RemoteHandlerException;
import dev.tether.Reply;
import dev.tether.StoreException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The caller's side of the call layer: deadlines, reply matching, late and unmatched replies. */
class CallerTest {
    private static final NodeId B = NodeId.of("b");
    private final FakeHost host = new FakeHost();
    private final CallLayer layer = new CallLayer(host);

    /** Sends a request and lets the node thread store it as {@code seq}. */
    private CompletableFuture<Reply> request(Duration timeout, long seq) {
        CompletableFuture<Reply> f =
                layer.call(B, "orders").timeout(timeout).header("h", "1").request("q".getBytes());
        host.runPosted();
        FakeHost.Sent s = host.sent.get(host.sent.size() - 1);
        s.hook().accepted(new StreamKey(B, s.lane()), seq);
        return f;
    }

    /** A reply to {@code laneAndSeq} ({@code lane#seq}) of this node's incarnation. */
    private FakeDelivery reply(String laneAndSeq, Map<String, String> extra) {
        return replyWith(laneAndSeq + "#" + Long.toHexString(FakeDelivery.EPOCH), extra);
    }

    private FakeDelivery replyWith(String correlation, Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>(extra);
        h.put(":k", "p");
        h.put(":c", correlation);
        FakeDelivery d = FakeDelivery.of("b", Lanes.REPLY, 1, h, 0, host);
        MessageConsumer c = layer.route(d.key, d.message);
        c.consume(d);
        return d;
    }

    @Test
    void aRequestTravelsOnTheHandlersLaneWithItsDeadlineAndReservedHeaders() {
        request(Duration.ofSeconds(2), 1);
        FakeHost.Sent s = host.sent.get(0);
        assertThat(s.to()).isEqualTo(B);
        assertThat(s.lane()).isEqualTo("orders");
        assertThat(s.expiresAt()).isEqualTo(host.now + 2_000);
        assertThat(s.headers())
                .containsEntry("h", "1")
                .containsEntry(":h", "orders")
                .containsEntry(":k", "r");
        layer.call(B, "orders").lane("mine").waitForHandler().sync(new byte[0]);
        assertThat(host.sent.get(1).lane()).isEqualTo("mine");
        assertThat(host.sent.get(1).headers()).containsEntry(":k", "s").containsEntry(":w", "1");
        assertThat(host.sent.get(1).expiresAt()).isEqualTo(host.now + 30_000); // the default timeout
    }

    @Test
    void theReplyCompletesItsRequestWithPayloadHeadersAndIds() throws Exception {
        CompletableFuture<Reply> f = request(Duration.ofSeconds(2), 5);
        FakeDelivery d = reply("orders#5", Map.of("x", "y"));
        assertThat(d.settled).isEqualTo("ack");
        Reply r = f.get();
        assertThat(r.from()).isEqualTo(B);
        assertThat(r.requestId()).isEqualTo(new MessageId(B, "orders", 5));
        assertThat(r.headers()).containsExactly(Map.entry("x", "y"));
        assertThat(new String(r.payloadBytes())).isEqualTo("payload");
        assertThat(layer.stats().repliesMatched()).isEqualTo(1);
        assertThat(layer.stats().pendingCalls()).isZero();
    }

    @Test
    void cancellingAStoredCallWithdrawsItAndDropsItsReply() {
        CompletableFuture<Reply> f = request(Duration.ofSeconds(2), 4);
        assertThat(f.cancel(true)).isTrue();
        assertThat(host.cancelled).isEmpty(); // handed to the node thread
        host.runPosted();
        assertThat(host.cancelled).containsExactly(new CallKey(B, "orders", 4));
        assertThat(layer.stats().pendingCalls()).isZero();
        assertThat(layer.stats().callsCancelled()).isEqualTo(1);
        reply("orders#4", Map.of());
        assertThat(layer.stats().repliesDropped()).isEqualTo(1);
        assertThat(layer.stats().repliesMatched()).isZero();
    }

    @Test
    void aCallCancelledBeforeItWasStoredIsWithdrawnOnceItIs() {
        CompletableFuture<Reply> f = layer.call(B, "orders").request("q".getBytes());
        host.runPosted(); // submitted, not stored yet
        f.cancel(false);
        host.runPosted();
        assertThat(host.cancelled).isEmpty();
        FakeHost.Sent s = host.sent.get(0);
        s.hook().accepted(new StreamKey(B, s.lane()), 9);
        assertThat(host.cancelled).containsExactly(new CallKey(B, "orders", 9));
        assertThat(layer.stats().pendingCalls()).isZero();
        assertThat(layer.stats().callsCancelled()).isEqualTo(1);
    }

    /**
     * Cancelled before the node thread took its send, and stored in the same turn (a volatile send is accepted at the
     * end of the turn it was taken in), before the cancel's own task ran: withdrawn all the same, once.
     */
    @Test
    void aCallCancelledBeforeItsSendWasTakenAndStoredInThatTurnIsWithdrawn() {
        CompletableFuture<Reply> f = layer.call(B, "orders").request("q".getBytes());
        f.cancel(true); // posts the cancel's task behind the send's
        host.posted.poll().run(host.now); // the send taken: its future already done, no deadline tracked
        FakeHost.Sent s = host.sent.get(0);
        s.hook().accepted(new StreamKey(B, s.lane()), 9); // stored in the same turn
        host.runPosted(); // the cancel's task
        assertThat(host.cancelled).containsExactly(new CallKey(B, "orders", 9));
        assertThat(layer.stats().pendingCalls()).isZero();
    }

    @Test
    void cancellingATypedRequestWithdrawsTheCallUnderIt() {
        CallLayer typed = new CallLayer(host, new Utf8Codec());
        CompletableFuture<String> f = typed.call(B, "orders").request("q", String.class);
        host.runPosted();
        FakeHost.Sent s = host.sent.get(0);
        assertThat(new String(s.payload())).isEqualTo("q");
        s.hook().accepted(new StreamKey(B, s.lane()), 3);

        assertThat(f.cancel(true)).isTrue();
        host.runPosted();

        assertThat(host.cancelled).containsExactly(new CallKey(B, "orders", 3));
        assertThat(typed.stats().pendingCalls()).isZero();
    }

    @Test
    void aCallAnsweredBeforeTheCancelIsNotWithdrawn() throws Exception {
        CompletableFuture<Reply> f = request(Duration.ofSeconds(2), 1);
        reply("orders#1", Map.of());
        assertThat(f.cancel(true)).isFalse();
        host.runPosted();
        assertThat(host.cancelled).isEmpty();
        assertThat(f.get()).isNotNull();
    }

    @Test
    void errorRepliesBecomeTypedExceptions() {
        CompletableFuture<Reply> remote = request(Duration.ofSeconds(2), 1);
        CompletableFuture<Reply> missing = request(Duration.ofSeconds(2), 2);
        reply("orders#1", Map.of(":e", "java.lang.IllegalStateException", ":m", "out of stock"));
        reply("orders#2", Map.of(":e", CallHeaders.NO_SUCH_HANDLER, ":m", "orders"));
        assertThatThrownBy(remote::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(RemoteHandlerException.class, e -> {
                    assertThat(e.remoteType()).isEqualTo("java.lang.IllegalStateException");
                    assertThat(e.remoteMessage()).isEqualTo("out of stock");
                });
        assertThatThrownBy(missing::get).cause().isInstanceOf(NoSuchHandlerException.class);
    }

    @Test
    void theDeadlineFailsTheCallExactlyOnTimeAndALateReplyIsDroppedAndCounted() {
        CompletableFuture<Reply> f = request(Duration.ofMillis(500), 1);
        layer.tick(host.now + 499);
        assertThat(f).isNotDone();
        layer.tick(host.now + 500);
        assertThatThrownBy(f::get).cause().isInstanceOf(DeadlineExceededException.class);
        assertThat(layer.stats().deadlinesExceeded()).isEqualTo(1);
        FakeDelivery late = reply("orders#1", Map.of());
        assertThat(late.settled).isEqualTo("ack");
        assertThat(layer.stats().repliesDropped()).isEqualTo(1);
        assertThat(layer.stats().pendingCalls()).isZero();
    }

    @Test
    void aReplyConsumedAtTheDeadlineBeforeTheTickStillFailsTheCall() {
        CompletableFuture<Reply> f = request(Duration.ofMillis(500), 1);
        host.now += 500;
        FakeDelivery probe = FakeDelivery.of("b", Lanes.REPLY, 1, Map.of(":k", "p", ":c", "orders#1#5eed"), 0, host);
        assertThat(layer.route(probe.key, probe.message).seesExpired()).isTrue(); // the runtime hands it over late
        reply("orders#1", Map.of());
        assertThatThrownBy(f::get).cause().isInstanceOf(DeadlineExceededException.class);
        assertThat(layer.stats().repliesDropped()).isEqualTo(1);
        assertThat(layer.stats().deadlinesExceeded()).isEqualTo(1);
    }

    @Test
    void theDeadlineHoldsEvenIfTheCallIsNeverStored() {
        CompletableFuture<Void> f =
                layer.call(B, "orders").timeout(Duration.ofMillis(10)).sync(new byte[0]);
        host.runPosted(); // reached the node thread, never accepted
        layer.tick(host.now + 10);
        assertThatThrownBy(f::get).cause().isInstanceOf(DeadlineExceededException.class);
        host.sent.get(0).hook().accepted(new StreamKey(B, "orders"), 1); // stored after all, too late
        reply("orders#1", Map.of());
        assertThat(layer.stats().repliesDropped()).isEqualTo(1);
    }

    @Test
    void unmatchedAndMalformedRepliesAreDroppedAndCounted() {
        reply("orders#99", Map.of());
        replyWith("not a correlation", Map.of());
        assertThat(layer.stats().repliesDropped()).isEqualTo(2);
    }

    @Test
    void aReplyToAnEarlierIncarnationOfThisNodeDoesNotAnswerACallWithTheSameNumber() throws Exception {
        CompletableFuture<Reply> f = request(Duration.ofSeconds(5), 1);
        replyWith("orders#1#" + Long.toHexString(FakeDelivery.EPOCH + 1), Map.of()); // a wiped store's old call #1
        assertThat(f).isNotDone();
        assertThat(layer.stats().repliesDropped()).isEqualTo(1);
        reply("orders#1", Map.of());
        assertThat(f.get().requestId().seq()).isEqualTo(1);
    }

    @Test
    void aFailedSendFailsTheCallAndShutdownFailsTheRest() {
        CompletableFuture<Void> f = layer.call(B, "orders").sync(new byte[0]);
        host.runPosted();
        host.sent.get(0).hook().rejected(new StoreException("disk full"));
        assertThatThrownBy(f::get).cause().isInstanceOf(StoreException.class);
        CompletableFuture<Reply> waiting = request(Duration.ofSeconds(5), 2);
        layer.stopping(host.id);
        assertThatThrownBy(waiting::get).cause().isInstanceOf(NodeClosedException.class);
        assertThat(layer.stats().pendingCalls()).isZero();
    }

    @Test
    void aReplyToACancelledCallIsDropped() {
        CompletableFuture<Reply> f = request(Duration.ofSeconds(5), 3);
        f.cancel(true);
        reply("orders#3", Map.of());
        assertThat(layer.stats().repliesDropped()).isEqualTo(1);
        assertThat(layer.stats().repliesMatched()).isZero();
    }

    @Test
    void settersValidateAndCopy() {
        var c = layer.call(B, "orders");
        assertThatThrownBy(() -> c.header(":k", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.lane(Lanes.REPLY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        var withHeader = c.header("a", "1");
        withHeader.tell(new byte[0]);
        c.tell(new byte[0]);
        assertThat(host.sent.get(0).headers()).containsEntry("a", "1").containsEntry(":k", "t");
        assertThat(host.sent.get(0).expiresAt()).isZero(); // a tell has no time to live unless given one
        assertThat(host.sent.get(1).headers()).doesNotContainKey("a");
        c.waitForHandler().tell(new byte[0]);
        assertThat(host.sent.get(2).expiresAt()).isEqualTo(host.now + 30_000);
    }
}
