package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.B;
import static dev.tether.scenarios.CallsTest.DEADLINE;
import static dev.tether.scenarios.CallsTest.failure;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.CallsTest.text;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadlineExceededException;
import dev.tether.HandlerOptions;
import dev.tether.Lanes;
import dev.tether.Outcome;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import dev.tether.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Deadlines and waiting for handlers, on the nodes' manual clock: a call fails at its deadline whatever the network
 * does, and is never executed after it; a call that waits for its handler gets it if it comes in time.
 */
class CallDeadlineTest {
    private final ManualClock clock = new ManualClock(1_000_000);

    private static long inboundExpired(TetherNode n, String lane) {
        StreamStats s = n.stats().stream(CallsTest.A, lane, StreamStats.Direction.INBOUND);
        return s == null ? 0 : s.expired();
    }

    @Test
    void aCallToAPeerThatIsDownFailsAtItsDeadlineAndIsNeverExecutedAfterIt() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", n -> n.clock(clock));
            CompletableFuture<Reply> f =
                    a.call(B, "work").timeout(Duration.ofSeconds(2)).request(utf8("late"));
            Await.until(DEADLINE, () -> a.stats().calls().pendingCalls() == 1, () -> "the call to be pending");
            clock.advance(Duration.ofMillis(1_999));
            a.stats(); // a turn of the node thread at 1 ms before the deadline
            assertThat(f).isNotDone();

            clock.advance(Duration.ofMillis(1));
            Throwable t = failure(f);
            assertThat(t)
                    .isInstanceOfSatisfying(
                            DeadlineExceededException.class,
                            e -> assertThat(e.deadline()).isEqualTo(Instant.ofEpochMilli(1_000_000 + 2_000)));
            assertThat(a.stats().calls().deadlinesExceeded()).isEqualTo(1);

            AtomicInteger executed = new AtomicInteger();
            TetherNode b = c.start(
                    "b",
                    n -> n.clock(clock).handle("work", call -> {
                        executed.incrementAndGet();
                        return null;
                    }));
            Await.until(DEADLINE, () -> inboundExpired(b, "work") == 1, () -> "b to expire the call");
            assertThat(executed).hasValue(0);
            assertThat(a.stats().calls().repliesDropped()).isZero(); // no reply was ever made
        }
    }

    @Test
    void aHandlerStillRunningAtTheDeadlineFailsTheCallerOnTimeAndItsLateReplyIsDroppedAndCounted() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", n -> n.clock(clock));
            TetherNode b = c.start(
                    "b",
                    n -> n.clock(clock).handle("slow", call -> {
                        entered.countDown();
                        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                        return utf8("too late");
                    }));
            CompletableFuture<Reply> f =
                    a.call(B, "slow").timeout(Duration.ofSeconds(1)).request(utf8("x"));
            assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            clock.advance(Duration.ofSeconds(1));
            assertThat(failure(f)).isInstanceOf(DeadlineExceededException.class);
            release.countDown();

            // The reply carries the deadline as its time to live: it is dropped on the way, or by the caller.
            Await.until(DEADLINE, () -> lateRepliesCounted(a, b) == 1, () -> "the late reply to be counted");
            assertThat(a.stats().calls().repliesMatched()).isZero();
        }
    }

    /** Where a late reply can be counted: dropped by the caller, expired by the caller's node or by the callee's. */
    private static long lateRepliesCounted(TetherNode a, TetherNode b) {
        StreamStats in = a.stats().stream(B, Lanes.REPLY, StreamStats.Direction.INBOUND);
        StreamStats out = b.stats().stream(CallsTest.A, Lanes.REPLY, StreamStats.Direction.OUTBOUND);
        return a.stats().calls().repliesDropped() + (in == null ? 0 : in.expired()) + (out == null ? 0 : out.expired());
    }

    @Test
    void aCallWaitingForItsHandlerGetsItWhenItIsRegisteredInTime() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", n -> n.clock(clock));
            TetherNode b = c.start("b", n -> n.clock(clock));
            CompletableFuture<Reply> waiting = a.call(B, "soon")
                    .timeout(Duration.ofSeconds(10))
                    .waitForHandler()
                    .request(utf8("first"));
            CompletableFuture<Reply> behind =
                    a.call(B, "soon").timeout(Duration.ofSeconds(10)).request(utf8("second"));
            Await.until(DEADLINE, () -> b.stats().calls().waitingForHandler() == 1, () -> "the call to wait");
            clock.advance(Duration.ofSeconds(9));
            b.stats();
            assertThat(waiting).isNotDone();
            assertThat(behind).isNotDone(); // it waits behind the first on the same lane, not answered NoSuchHandler

            b.handle("soon", HandlerOptions.defaults(), call -> utf8("got " + text(call.payloadBytes())));

            assertThat(text(get(waiting).payloadBytes())).isEqualTo("got first");
            assertThat(text(get(behind).payloadBytes())).isEqualTo("got second");
            assertThat(b.stats().calls().waitingForHandler()).isZero();
        }
    }

    @Test
    void aCallWaitingForAHandlerThatDoesNotComeExpiresAndTheLaneGoesOn() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", n -> n.clock(clock));
            TetherNode b = c.start("b", n -> n.clock(clock));
            CompletableFuture<Void> sync = a.call(B, "never")
                    .timeout(Duration.ofSeconds(1))
                    .waitForHandler()
                    .sync(utf8("x"));
            SendReceipt tell = a.call(B, "never").waitForHandler().tell(utf8("y")); // default timeout: 30 s
            Await.until(DEADLINE, () -> b.stats().calls().waitingForHandler() == 1, () -> "the first call to wait");

            clock.advance(Duration.ofSeconds(1));
            assertThat(failure(sync)).isInstanceOf(DeadlineExceededException.class);
            Await.until(DEADLINE, () -> inboundExpired(b, "never") == 1, () -> "b to expire the sync call");
            Await.until(DEADLINE, () -> b.stats().calls().waitingForHandler() == 1, () -> "the tell to wait next");

            clock.advance(Duration.ofSeconds(29));
            assertThat(get(tell.processed())).isEqualTo(Outcome.EXPIRED);
            AtomicInteger executed = new AtomicInteger();
            b.handle("never", call -> {
                executed.incrementAndGet();
                return utf8("now");
            });
            assertThat(text(get(a.call(B, "never").request(new byte[0])).payloadBytes()))
                    .isEqualTo("now");
            assertThat(executed).hasValue(1); // only the last call: the expired ones never reached it
        }
    }
}
