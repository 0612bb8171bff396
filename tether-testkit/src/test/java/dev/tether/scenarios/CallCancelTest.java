package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Call;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Cancellation between real nodes (in-memory transport and stores, real threads): {@code future.cancel} withdraws
 * the call at the called node. One not started yet is never executed; one running sees {@code isCancelled()} and
 * its {@code onCancel} actions run. Volatile calls too: their withdrawal travels on the volatile stream.
 */
class CallCancelTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static String text(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A call of {@code handler}, volatile or durable. */
    private static Call call(TetherNode from, String handler, boolean volatileDelivery) {
        Call c = from.call(B, handler);
        return volatileDelivery ? c.volatileDelivery() : c;
    }

    @Test
    void aCallCancelledBeforeItsHandlerStartedIsNeverExecuted() throws Exception {
        cancelledBeforeStart(false);
    }

    @Test
    void aVolatileCallCancelledBeforeItsHandlerStartedIsNeverExecuted() throws Exception {
        cancelledBeforeStart(true);
    }

    @Test
    void aRunningCallSeesTheCancelAndItsActionsRun() throws Exception {
        runningCallSeesTheCancel(false);
    }

    @Test
    void aRunningVolatileCallSeesTheCancelAndItsActionsRun() throws Exception {
        runningCallSeesTheCancel(true);
    }

    @Test
    void anOnCancelActionThrowingAnErrorIsReportedAndTheNextActionsStillRun() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger actions = new AtomicInteger();
            b.handle("long", call -> {
                call.onCancel(() -> {
                    throw new AssertionError("an application's assert");
                });
                call.onCancel(actions::incrementAndGet);
                started.countDown();
                Await.until(DEADLINE, call::isCancelled, () -> "the cancel to arrive");
                return null;
            });
            CompletableFuture<Reply> f = a.call(B, "long").request(utf8("x"));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(true)).isTrue();
            Await.until(DEADLINE, () -> actions.get() == 1, () -> "the action after the failing one to run");
            Await.until(
                    DEADLINE,
                    () -> c.events("b").stream()
                            .anyMatch(e -> e instanceof TetherEvent.ApplicationError x
                                    && x.where().startsWith("onCancel of handler 'long'")),
                    () -> "the failing action reported: " + c.events("b"));
        }
    }

    private static void cancelledBeforeStart(boolean volatileDelivery) throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            List<String> executed = new CopyOnWriteArrayList<>();
            b.handle("work", call -> {
                String p = text(call.payloadBytes());
                executed.add(p);
                if (p.equals("first")) {
                    firstStarted.countDown();
                    if (!releaseFirst.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                }
                return utf8(p);
            });

            CompletableFuture<Reply> first = call(a, "work", volatileDelivery).request(utf8("first"));
            assertThat(firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
            // Cut off: these are kept (stored, or in memory if volatile) behind the first one, not transmitted yet.
            c.network.disconnect(A, B);
            CompletableFuture<Reply> second = call(a, "work", volatileDelivery).request(utf8("second"));
            CompletableFuture<Void> third = call(a, "work", volatileDelivery).sync(utf8("third"));
            Await.until(DEADLINE, () -> a.stats().calls().pendingCalls() == 3, () -> "three calls pending");
            assertThat(second.cancel(true)).isTrue();
            assertThat(third.cancel(true)).isTrue();
            Await.until(DEADLINE, () -> a.stats().calls().pendingCalls() == 1, () -> "the cancels taken");
            c.network.connect(A, B); // the withdrawn calls go as markers, settled at b without being handed out
            releaseFirst.countDown();
            assertThat(text(first.get(30, TimeUnit.SECONDS).payloadBytes())).isEqualTo("first");
            CompletableFuture<Reply> fourth = call(a, "work", volatileDelivery).request(utf8("fourth"));
            assertThat(text(fourth.get(30, TimeUnit.SECONDS).payloadBytes())).isEqualTo("fourth");

            assertThat(executed).containsExactly("first", "fourth");
            assertThat(a.stats().calls().pendingCalls()).isZero();
            assertThat(b.stats().calls().callsHandled()).isEqualTo(2);
            assertThat(a.stats().calls().callsCancelled()).isEqualTo(2);
            // withdrawn before transmission: settled by the protocol, never handed to b's handlers
            assertThat(b.stats().calls().cancelledBeforeStart()).isZero();
        }
    }

    private static void runningCallSeesTheCancel(boolean volatileDelivery) throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger actions = new AtomicInteger();
            AtomicBoolean sawCancel = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            b.handle("long", call -> {
                call.onCancel(actions::incrementAndGet);
                started.countDown();
                try {
                    Await.until(DEADLINE, call::isCancelled, () -> "the cancel to arrive");
                    sawCancel.set(true);
                    call.onCancel(actions::incrementAndGet); // registered after the cancel: runs at once
                    return null;
                } finally {
                    done.countDown();
                }
            });

            CompletableFuture<Reply> f = call(a, "long", volatileDelivery).request(utf8("x"));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(true)).isTrue();

            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(sawCancel).isTrue();
            assertThat(actions.get()).isEqualTo(2);
            Await.until(DEADLINE, () -> a.stats().calls().repliesDropped() == 1, () -> "the late reply dropped");
            assertThat(a.stats().calls().callsCancelled()).isEqualTo(1);
            assertThat(b.stats().calls().cancelledWhileRunning()).isEqualTo(1);
        }
    }
}
