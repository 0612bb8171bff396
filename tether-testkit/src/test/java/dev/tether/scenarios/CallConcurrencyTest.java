package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.B;
import static dev.tether.scenarios.CallsTest.DEADLINE;
import static dev.tether.scenarios.CallsTest.failure;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.CallsTest.text;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.CallStats;
import dev.tether.HandlerOptions;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeId;
import dev.tether.Registration;
import dev.tether.Reply;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Calls under concurrency: placement, order per lane, async handlers, removal in flight, many callers. */
class CallConcurrencyTest {
    @Test
    void handlersRunWhereTheirOptionsSay() throws Exception {
        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            b.handle("pool", call -> utf8(Thread.currentThread().getName()));
            b.handle(
                    "node",
                    HandlerOptions.defaults().onNodeThread(),
                    call -> utf8(Thread.currentThread().getName()));
            b.handle(
                    "mine",
                    HandlerOptions.defaults().on(mine),
                    call -> utf8(Thread.currentThread().getName()));

            assertThat(text(get(a.call(B, "pool").request(new byte[0])).payloadBytes()))
                    .startsWith("tether-b-handler-");
            assertThat(text(get(a.call(B, "node").request(new byte[0])).payloadBytes()))
                    .isEqualTo("tether-b");
            assertThat(text(get(a.call(B, "mine").request(new byte[0])).payloadBytes()))
                    .isEqualTo("mine");
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    void callsOnOneLaneAreHandledOneAtATimeInOrderAlsoWhenAsync() throws Exception {
        ExecutorService completer = Executors.newFixedThreadPool(4);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            AtomicInteger inHandler = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<String> order = new CopyOnWriteArrayList<>();
            b.handleAsync("async", call -> {
                if (inHandler.incrementAndGet() > 1) overlaps.incrementAndGet();
                order.add(text(call.payloadBytes()));
                return CompletableFuture.supplyAsync(
                        () -> {
                            inHandler.decrementAndGet();
                            return call.payloadBytes();
                        },
                        completer);
            });
            List<CompletableFuture<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 300; i++) replies.add(a.call(B, "async").request(utf8("m" + i)));
            for (int i = 0; i < 300; i++)
                assertThat(text(get(replies.get(i)).payloadBytes())).isEqualTo("m" + i);
            assertThat(order).containsExactlyElementsOf(Cluster.numbered("m", 0, 300));
            assertThat(overlaps).hasValue(0);
        } finally {
            completer.shutdownNow();
        }
    }

    @Test
    void aBlockedHandlerHoldsUpItsOwnLaneOnly() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            b.handle("slow", call -> {
                release.await(30, TimeUnit.SECONDS);
                return utf8("slow done");
            });
            b.handle("fast", call -> utf8("fast done"));
            CompletableFuture<Reply> slow = a.call(B, "slow").request(new byte[0]);
            CompletableFuture<Reply> slowBehind = a.call(B, "slow").request(new byte[0]);

            assertThat(text(get(a.call(B, "fast").request(new byte[0])).payloadBytes()))
                    .isEqualTo("fast done");
            assertThat(slow).isNotDone();
            release.countDown();
            assertThat(text(get(slow).payloadBytes())).isEqualTo("slow done");
            assertThat(text(get(slowBehind).payloadBytes())).isEqualTo("slow done");
        }
    }

    @Test
    void removingAHandlerLetsCallsInItFinishAndAnswersLaterOnesNoSuchHandler() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            Registration r = b.handle("h", call -> {
                calls.incrementAndGet();
                entered.countDown();
                release.await(30, TimeUnit.SECONDS);
                return utf8("finished");
            });
            CompletableFuture<Reply> inFlight = a.call(B, "h").request(new byte[0]);
            CompletableFuture<Reply> sameLane = a.call(B, "h").request(new byte[0]);
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            r.close();
            assertThat(r.isActive()).isFalse();
            CompletableFuture<Reply> otherLane = a.call(B, "h").lane("other").request(new byte[0]);
            assertThat(failure(otherLane)).isInstanceOf(NoSuchHandlerException.class);
            release.countDown();

            assertThat(text(get(inFlight).payloadBytes())).isEqualTo("finished");
            assertThat(failure(sameLane)).isInstanceOf(NoSuchHandlerException.class);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void manyCallersAtOnceEachGetTheirOwnReply() throws Exception {
        String[] names = {"a", "b", "c", "d"};
        int threadsPerCaller = 4;
        int callsPerThread = 250;
        try (Cluster c = new Cluster(names)) {
            for (String n : names) c.start(n);
            Set<String> handledBy = ConcurrentHashMap.newKeySet();
            c.node("b").handle("echo", call -> {
                handledBy.add(call.from().value());
                return call.payloadBytes();
            });
            List<Thread> threads = new ArrayList<>();
            List<Throwable> problems = new CopyOnWriteArrayList<>();
            for (String caller : List.of("a", "c", "d")) {
                for (int t = 0; t < threadsPerCaller; t++) {
                    String prefix = caller + t + "-";
                    threads.add(new Thread(() -> callMany(c.node(caller), prefix, callsPerThread, problems)));
                }
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join(DEADLINE.toMillis());
            assertThat(problems).isEmpty();
            assertThat(handledBy).containsExactlyInAnyOrder("a", "c", "d");
            int total = 3 * threadsPerCaller * callsPerThread;
            Await.until(DEADLINE, () -> c.node("b").stats().calls().callsHandled() == total, () -> "all handled");
            for (String caller : List.of("a", "c", "d")) {
                CallStats s = c.node(caller).stats().calls();
                assertThat(s.callsSent()).isEqualTo(threadsPerCaller * callsPerThread);
                assertThat(s.repliesMatched()).isEqualTo(threadsPerCaller * callsPerThread);
                assertThat(s.repliesDropped()).isZero();
                assertThat(s.pendingCalls()).isZero();
            }
        }
    }

    private static void callMany(TetherNode node, String prefix, int n, List<Throwable> problems) {
        try {
            List<CompletableFuture<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++)
                replies.add(node.call(NodeId.of("b"), "echo").request(utf8(prefix + i)));
            for (int i = 0; i < n; i++) {
                String got = text(get(replies.get(i)).payloadBytes());
                if (!got.equals(prefix + i)) problems.add(new AssertionError("call " + prefix + i + " got " + got));
            }
        } catch (Throwable e) {
            problems.add(e);
        }
    }
}
