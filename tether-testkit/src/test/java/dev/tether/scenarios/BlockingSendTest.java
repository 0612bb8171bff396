package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OfferResult;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code send(message, maxWait)} and {@code offer} (docs/MESSAGING.md, "Backpressure"): senders blocked on a full
 * stream get room in the order they started waiting, an interrupted one leaves the line without sending, the node
 * thread may not wait, and offer never waits nor throws for a full stream.
 */
class BlockingSendTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");

    /** A message on lane {@code x} that expires {@code ttlMillis} after it is sent (b never runs: it expires here). */
    private static OutboundMessage expiring(String payload, long ttlMillis) {
        return OutboundMessage.to(B)
                .lane("x")
                .ttl(Duration.ofMillis(ttlMillis))
                .payload(Cluster.utf8(payload))
                .build();
    }

    /** Starts a thread sending {@code m} with a 30 s wait, and returns once it is waiting for room. */
    private static Thread blockedSender(TetherNode a, OutboundMessage m, CompletableFuture<SendReceipt> result) {
        Thread t = new Thread(() -> {
            try {
                result.complete(a.send(m, DEADLINE));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        Await.until(
                DEADLINE,
                () -> t.getState() == Thread.State.TIMED_WAITING || result.isDone(),
                () -> "sender " + t + " waiting for room");
        assertThat(result).isNotDone();
        return t;
    }

    @Test
    void eightSendersBlockedOnOneStreamGetRoomInTheOrderTheyArrived() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            SendReceipt first = a.send(expiring("first", 300_000)); // fills the stream until it is purged
            first.accepted().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<SendReceipt>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CompletableFuture<SendReceipt> r = new CompletableFuture<>();
                blockedSender(a, expiring("s" + i, 20), r); // each expires soon after it got in: the next moves up
                results.add(r);
            }
            Tether.management(a).purge(B, "x");
            // The room holds one message at a time, so the order of the sequence numbers is the order of getting room.
            Map<Long, Integer> bySeq = new TreeMap<>();
            for (int i = 0; i < 8; i++) {
                long seq = results.get(i)
                        .get(30, TimeUnit.SECONDS)
                        .accepted()
                        .get(30, TimeUnit.SECONDS)
                        .seq();
                bySeq.put(seq, i);
            }
            assertThat(bySeq.values()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void anInterruptedSenderLeavesTheLineWithoutSendingAndTheOthersKeepTheirOrder() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            SendReceipt first = a.send(expiring("first", 300_000)); // held until the test purges it
            first.accepted().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<SendReceipt>> results = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CompletableFuture<SendReceipt> r = new CompletableFuture<>();
                threads.add(blockedSender(a, expiring("s" + i, 20), r));
                results.add(r);
            }
            threads.get(1).interrupt();
            assertThatThrownBy(() -> results.get(1).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(results.get(0)).isNotDone();
            Tether.management(a).purge(B, "x"); // room for one: the first in line's
            assertThat(first.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PURGED);
            long s0 = results.get(0)
                    .get(30, TimeUnit.SECONDS)
                    .accepted()
                    .get(30, TimeUnit.SECONDS)
                    .seq();
            long s2 = results.get(2)
                    .get(30, TimeUnit.SECONDS)
                    .accepted()
                    .get(30, TimeUnit.SECONDS)
                    .seq();
            assertThat(s2).isEqualTo(s0 + 1); // nothing of the interrupted sender came between them
        }
    }

    @Test
    void theNodeThreadMayNotWaitForRoom() throws Exception {
        AtomicReference<TetherNode> self = new AtomicReference<>();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.listener(e -> {
                        if (e instanceof TetherEvent.PeerConnected && self.get() != null) {
                            try {
                                self.get()
                                        .send(
                                                OutboundMessage.to(B)
                                                        .payload(new byte[1])
                                                        .build(),
                                                Duration.ofSeconds(1));
                                seen.complete(null);
                            } catch (Throwable t) {
                                seen.complete(t);
                            }
                        }
                    }));
            self.set(a);
            c.start("b");
            assertThat(seen.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("node thread");
        }
    }

    @Test
    void aWaitMustBePositive() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            OutboundMessage m = OutboundMessage.to(B).payload(new byte[1]).build();
            assertThatThrownBy(() -> a.send(m, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWait must be positive, was PT0S");
            assertThatThrownBy(() -> a.send(m, Duration.ofMillis(-5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWait must be positive");
        }
    }

    @Test
    void aWaitThatEndsWithoutRoomRefusesSayingHowLongItWaited() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            a.send(expiring("first", 300_000));
            assertThatThrownBy(() -> a.send(expiring("late", 300_000), Duration.ofMillis(100)))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/x holds 1 of its limit of 1")
                    .hasMessageContaining("waited 100 ms");
        }
    }

    @Test
    void aShutdownWakesWaitingSendersWithNodeClosed() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            a.send(expiring("first", 300_000));
            CompletableFuture<SendReceipt> r = new CompletableFuture<>();
            blockedSender(a, expiring("waiting", 300_000), r);
            a.shutdown(Duration.ZERO);
            assertThatThrownBy(() -> r.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(NodeClosedException.class);
        }
    }

    @Test
    void offerTakesWhatFitsAndRefusesTheRestWithoutThrowing() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(2));
            OfferResult one = a.offer(expiring("1", 300_000));
            OfferResult two = a.offer(expiring("2", 300_000));
            OfferResult three = a.offer(expiring("3", 300_000));
            assertThat(one.taken()).isTrue();
            assertThat(two.taken()).isTrue();
            assertThat(three.taken()).isFalse();
            assertThat(three.receipt()).isNull();
            assertThat(three.refusal()).hasMessageContaining("stream b/x holds 2 of its limit of 2");
            assertThat(one.receipt().accepted().get(30, TimeUnit.SECONDS).seq()).isEqualTo(1);
            assertThat(two.receipt().accepted().get(30, TimeUnit.SECONDS).seq()).isEqualTo(2);
        }
    }

    @Test
    void aSenderThatDoesNotWaitDoesNotTakeRoomFromOneThatWaits() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            SendReceipt first = a.send(expiring("first", 300_000));
            first.accepted().get(30, TimeUnit.SECONDS);
            CompletableFuture<SendReceipt> r = new CompletableFuture<>();
            blockedSender(a, expiring("waiting", 300_000), r);
            Tether.management(a).purge(B, "x");
            first.processed().get(30, TimeUnit.SECONDS);
            // Whenever the room comes back, it is the waiting sender's: offers in between are refused.
            while (!r.isDone())
                assertThat(a.offer(expiring("offered", 300_000)).taken()).isFalse();
            assertThat(r.get(30, TimeUnit.SECONDS)
                            .accepted()
                            .get(30, TimeUnit.SECONDS)
                            .seq())
                    .isEqualTo(2);
        }
    }
}
