package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.ShutdownResult;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Where the node's work runs: a handler on the node thread ({@code handlerOnNodeThread}), and a node hosted on
 * its transport's executor ({@code Transport.nodeExecutor()}, as over TCP).
 */
class NodeThreadTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void handlerOnNodeThreadRunsOnTheNodeThreadInOrder() {
        try (Cluster c = new Cluster("a", "b")) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            List<String> payloads = new CopyOnWriteArrayList<>();
            c.start("a");
            c.start(
                    "b",
                    b -> b.handlerOnNodeThread(true).handler(d -> {
                        threads.add(Thread.currentThread().getName());
                        payloads.add(new String(d.payloadBytes(), java.nio.charset.StandardCharsets.UTF_8));
                    }));
            for (int i = 0; i < 300; i++) c.node("a").send(B, utf8("m" + i));

            Await.until(DEADLINE, () -> payloads.size() == 300, () -> "300 deliveries, got " + payloads.size());
            assertThat(payloads).containsExactlyElementsOf(numbered("m", 0, 300));
            assertThat(threads).containsExactly("tether-b");
        }
    }

    @Test
    void waitingOnTheNodeThreadThrowsInsteadOfDeadlocking() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            AtomicReference<TetherNode> self = new AtomicReference<>();
            List<Throwable> waits = new CopyOnWriteArrayList<>();
            List<NodeStats> stats = new CopyOnWriteArrayList<>();
            List<SendReceipt> replies = new CopyOnWriteArrayList<>();
            c.start("a");
            self.set(c.start(
                    "b",
                    b -> b.handlerOnNodeThread(true).handler(d -> {
                        SendReceipt reply = self.get().send(A, utf8("reply"));
                        replies.add(reply);
                        waits.add(catchThrowable(() -> reply.processed().get()));
                        waits.add(catchThrowable(
                                () -> reply.accepted().thenApply(id -> id).join()));
                        waits.add(catchThrowable(() -> self.get().shutdown(Duration.ofSeconds(1))));
                        stats.add(self.get().stats());
                    })));
            c.node("a").send(B, utf8("question"));

            Await.until(DEADLINE, () -> stats.size() == 1, () -> "the handler to finish");
            assertThat(waits).hasSize(3).allSatisfy(t -> assertThat(t).isInstanceOf(IllegalStateException.class));
            assertThat(stats.get(0).node()).isEqualTo(B);
            // The node kept working: the reply sent from the handler is processed, and waiting off the node
            // thread works.
            assertThat(replies.get(0).processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("a", "b", "default")).containsExactly("reply");
        }
    }

    @Test
    void hostedNodesExchangeInOrderOnTheTransportsThread() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            c.transports(id -> new HostingTransport(c.network.newTransport(), "host-" + id));
            Set<String> inline = ConcurrentHashMap.newKeySet();
            Set<String> listenerThreads = ConcurrentHashMap.newKeySet();
            c.start(
                    "a",
                    a -> a.listener(
                            e -> listenerThreads.add(Thread.currentThread().getName())));
            c.start(
                    "b",
                    b -> b.handlerOnNodeThread(true)
                            .handler(d -> inline.add(Thread.currentThread().getName())));
            List<SendReceipt> receipts = new ArrayList<>();
            for (int i = 0; i < 500; i++) receipts.add(c.node("a").send(B, utf8("m" + i)));
            for (int i = 0; i < 500; i++) c.node("b").send(A, utf8("n" + i));

            for (SendReceipt r : receipts)
                assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            Await.until(DEADLINE, () -> c.seen("a").size() == 500, () -> "500 deliveries at a");
            assertThat(c.payloads("a", "b", "default")).containsExactlyElementsOf(numbered("n", 0, 500));
            assertThat(inline).containsExactly("host-b");
            assertThat(listenerThreads).containsExactly("host-a");
            assertThat(c.node("a").stats().connectedPeers()).contains(B);

            ShutdownResult r = c.node("a").shutdown(Duration.ofSeconds(10));
            assertThat(r.drained()).isTrue();
        }
    }

    /**
     * Blocking round trips between hosted nodes, {@code send(...).processed().get()} one at a time: every one
     * completes, in order, and the sender's host runs few tasks per round trip, because what a turn's own commands
     * post (the store's answer to a commit) runs in the task already running instead of a task of its own. Each round
     * trip needs the send's task, the listener call that brings the acknowledgement and its turn: 3 (the turns of the
     * node's 10 ms tick left out); with a task per such post (the send's commit, the acknowledged messages' trim) it was
     * about 4.5.
     */
    @Test
    void blockingRoundTripsBetweenHostedNodesTakeFewTasksOfTheHost() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            ConcurrentHashMap<String, HostingTransport> hosts = new ConcurrentHashMap<>();
            c.transports(id -> hosts.computeIfAbsent(
                    id.toString(), k -> new HostingTransport(c.network.newTransport(), "host-" + k)));
            List<String> payloads = new CopyOnWriteArrayList<>();
            c.start("a");
            c.start(
                    "b",
                    b -> b.handlerOnNodeThread(true)
                            .handler(d -> payloads.add(
                                    new String(d.payloadBytes(), java.nio.charset.StandardCharsets.UTF_8))));
            assertThat(c.node("a").send(B, utf8("warm-up")).processed().get(30, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            HostingTransport a = hosts.get("a");
            int n = 100;
            long before = a.tasks();
            long ticksBefore = a.periodicRuns();
            for (int i = 0; i < n; i++) {
                // The host is held while the send and its processed() are posted, so both wait for one task.
                CountDownLatch posted = new CountDownLatch(1);
                a.nodeExecutor().execute(() -> awaitQuietly(posted));
                SendReceipt r = c.node("a").send(B, utf8("m" + i));
                CompletableFuture<Outcome> processed = r.processed();
                posted.countDown();
                assertThat(processed.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            }
            // Less the holding tasks, and a turn for each tick (the slower the machine, the more ticks per round trip).
            long ticks = a.periodicRuns() - ticksBefore;
            double perRoundTrip = (a.tasks() - before - n - ticks) / (double) n;
            System.out.printf("host tasks per blocking round trip at a: %.2f%n", perRoundTrip);

            assertThat(payloads).endsWith(numbered("m", 0, n).toArray(String[]::new));
            assertThat(perRoundTrip).as("host tasks per round trip at a").isLessThan(3.7);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the test never released the host");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
