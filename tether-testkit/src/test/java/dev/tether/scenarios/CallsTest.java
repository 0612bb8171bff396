package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CallContext;
import dev.tether.CallKind;
import dev.tether.CallStats;
import dev.tether.MessageId;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RemoteHandlerException;
import dev.tether.Reply;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Named handlers and calls between real nodes (in-memory transport and stores): every outcome a caller can see. */
class CallsTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final NodeId A = NodeId.of("a");
    static final NodeId B = NodeId.of("b");

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected the call to fail, got " + e, e);
        }
        throw new AssertionError("expected the call to fail, it succeeded");
    }

    @Test
    void aRequestGetsTheHandlersReplyWithItsHeadersAndIds() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            AtomicReference<CallContext> seen = new AtomicReference<>();
            b.handle("upper", call -> {
                seen.set(call);
                call.replyHeader("length", String.valueOf(call.payloadBytes().length));
                return text(call.payloadBytes()).toUpperCase().getBytes(StandardCharsets.UTF_8);
            });

            Reply r = get(a.call(B, "upper").header("trace", "t1").request(utf8("hello")));

            assertThat(text(r.payloadBytes())).isEqualTo("HELLO");
            assertThat(r.headers()).containsExactly(java.util.Map.entry("length", "5"));
            assertThat(r.from()).isEqualTo(B);
            assertThat(r.requestId()).isEqualTo(new MessageId(B, "upper", 1));
            CallContext call = seen.get();
            assertThat(call.from()).isEqualTo(A);
            assertThat(call.kind()).isEqualTo(CallKind.REQUEST);
            assertThat(call.handler()).isEqualTo("upper");
            assertThat(call.lane()).isEqualTo("upper");
            assertThat(call.requestId()).isEqualTo(r.requestId());
            assertThat(call.headers()).containsExactly(java.util.Map.entry("trace", "t1"));
            assertThat(call.deadline()).isNotNull();
            assertThat(call.isRedelivery()).isFalse();
            assertThat(c.seen("b")).isEmpty(); // the configured handler saw nothing of it
            CallStats as = a.stats().calls();
            assertThat(as.callsSent()).isEqualTo(1);
            assertThat(as.repliesMatched()).isEqualTo(1);
            assertThat(as.pendingCalls()).isZero();
            assertThat(b.stats().calls().callsHandled()).isEqualTo(1);
        }
    }

    @Test
    void aSyncCallCompletesWhenTheHandlerReturnedAndFailsWithTheRemoteError() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            AtomicInteger calls = new AtomicInteger();
            b.handle("check", call -> {
                calls.incrementAndGet();
                if (text(call.payloadBytes()).equals("bad")) throw new IllegalStateException("out of stock");
                return utf8("ignored");
            });

            assertThat(get(a.call(B, "check").sync(utf8("good")))).isNull();
            Throwable t = failure(a.call(B, "check").sync(utf8("bad")));

            assertThat(t).isInstanceOfSatisfying(RemoteHandlerException.class, e -> {
                assertThat(e.remoteType()).isEqualTo("java.lang.IllegalStateException");
                assertThat(e.remoteMessage()).isEqualTo("out of stock");
                assertThat(e).hasMessageContaining("handler 'check' on b failed");
            });
            assertThat(calls).hasValue(2); // the failure was the answer: not retried
            assertThat(b.stats().calls().handlerFailures()).isEqualTo(1);
        }
    }

    @Test
    void aTellIsProcessedAndAFailingOneIsRetriedLikeAnyDelivery() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start(
                    "b", n -> n.retryPolicy(new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(5), 2.0)));
            List<Integer> attempts = new CopyOnWriteArrayList<>();
            b.handle("log", call -> {
                attempts.add(call.attempt());
                if (call.attempt() < 3) throw new IllegalStateException("not yet");
                return null;
            });

            SendReceipt r = a.call(B, "log").tell(utf8("x"));

            assertThat(get(r.accepted())).isEqualTo(new MessageId(B, "log", 1));
            assertThat(get(r.processed())).isEqualTo(Outcome.PROCESSED);
            assertThat(attempts).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aCallOfAHandlerTheReceiverDoesNotHaveGetsNoSuchHandler() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");

            SendReceipt tell = a.call(B, "nobody").tell(utf8("x"));
            Throwable request = failure(a.call(B, "nobody").request(utf8("y")));
            Throwable sync = failure(a.call(B, "nobody").lane("other").sync(utf8("z")));

            assertThat(get(tell.processed())).isEqualTo(Outcome.NO_SUCH_HANDLER);
            assertThat(request).isInstanceOfSatisfying(NoSuchHandlerException.class, e -> {
                assertThat(e.peer()).isEqualTo(B);
                assertThat(e.handler()).isEqualTo("nobody");
            });
            assertThat(sync).isInstanceOf(NoSuchHandlerException.class);
            assertThat(b.stats().calls().noSuchHandler()).isEqualTo(3);
            // The stream goes on: a handler registered now gets the next call on the same lane.
            b.handle("nobody", call -> utf8("here"));
            assertThat(text(get(a.call(B, "nobody").request(new byte[0])).payloadBytes()))
                    .isEqualTo("here");
        }
    }

    @Test
    void plainSendsStillGoToTheConfiguredHandlerAlsoOnALaneCallsUse() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            List<String> order = new CopyOnWriteArrayList<>();
            b.handle("h", call -> {
                order.add("call:" + text(call.payloadBytes()));
                return null;
            });
            a.send(B, "shared", utf8("m1"));
            CompletableFuture<Void> call = a.call(B, "h").lane("shared").sync(utf8("c1"));
            SendReceipt last = a.send(B, "shared", utf8("m2"));

            get(call);
            assertThat(get(last.processed())).isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("b", "a", "shared")).containsExactly("m1", "m2");
            assertThat(order).containsExactly("call:c1");
            assertThat(c.seen("b").get(0).seq()).isEqualTo(1);
            assertThat(c.seen("b").get(1).seq()).isEqualTo(3); // one stream: the call was #2 between them
        }
    }

    @Test
    void applicationsCannotUseReservedHeadersLanesOrHandlerNames() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            assertThatThrownBy(() -> dev.tether.OutboundMessage.to(B).header(":h", "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reserved");
            assertThatThrownBy(() -> a.call(B, "x").header(":k", "r")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.send(B, "_reply", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dev.tether.OutboundMessage.to(B).lane("_x"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.handle("_hello", call -> null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.call(B, "_list_handlers")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.call(B, "bad name")).isInstanceOf(dev.tether.InvalidIdException.class);
        }
    }

    @Test
    void aReplyToAWipedCallersEarlierIncarnationDoesNotAnswerItsNewCallWithTheSameNumber() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            DropFrames bData = new DropFrames(c.network.newTransport(), (byte) 3); // b's DATA frames: its replies
            bData.active = true;
            c.transports(id -> id.equals(B) ? bData : c.network.newTransport());
            AtomicInteger handled = new AtomicInteger();
            c.start("b", n -> n.handle("work", call -> utf8(handled.incrementAndGet() == 1 ? "old" : "new")));
            TetherNode first = c.start("a");
            CompletableFuture<Reply> lost =
                    first.call(B, "work").timeout(Duration.ofMinutes(5)).request(utf8("1"));
            Await.until(DEADLINE, () -> handled.get() == 1, () -> "b to handle the first call");

            c.wipe("a"); // a new incarnation: its calls are numbered from 1 again
            assertThat(failure(lost)).isInstanceOf(dev.tether.NodeClosedException.class);
            TetherNode a = c.start("a");
            CompletableFuture<Reply> f =
                    a.call(B, "work").timeout(Duration.ofMinutes(5)).request(utf8("2"));
            Await.until(DEADLINE, () -> handled.get() == 2, () -> "b to handle the second call");
            assertThat(f).isNotDone(); // both replies wait in b's outbox, "old" first

            bData.active = false;
            Reply r = get(f);
            assertThat(text(r.payloadBytes())).isEqualTo("new");
            assertThat(r.requestId()).isEqualTo(new MessageId(B, "work", 1)); // the number the old call had
            Await.until(DEADLINE, () -> a.stats().calls().repliesDropped() == 1, () -> "the old reply dropped");
        }
    }

    @Test
    void callsStillWaitingWhenTheNodeShutsDownFail() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a"); // b never starts
            CompletableFuture<Reply> f =
                    a.call(B, "x").timeout(Duration.ofMinutes(5)).request(new byte[0]);
            Await.until(DEADLINE, () -> a.stats().calls().pendingCalls() == 1, () -> "the call to be pending");
            a.shutdown(Duration.ZERO);
            assertThat(failure(f)).isInstanceOf(dev.tether.NodeClosedException.class);
        }
    }
}
