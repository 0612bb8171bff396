package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OverflowPolicy;
import dev.tether.PublishOffer;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A channel log that blocks when full ({@link ChannelOptions#blockFor}) and {@link TetherNode#offerPublish}
 * (docs/MESSAGING.md, "Backpressure"): publishers blocked on a full log get room in the order they started waiting as
 * its reader catches up, an interrupted one leaves the line without publishing, a wait that ends refuses saying how
 * long it waited, a shutdown wakes the waiters, the node thread may not wait, and an offer never waits nor throws;
 * every refusal is counted in {@code NodeStats.publishesRejected} and reported as an overflow on the channel's lane.
 */
class ChannelBlockingPublishTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);
    private static final NodeId P = NodeId.of("p");

    /** p publishes on {@link #CH} with {@code options}, b reads it and is down: the log fills. */
    private static TetherNode publisherWithReaderDown(Cluster c, ChannelOptions options) throws Exception {
        TetherNode p = c.start("p");
        c.start("b");
        p.channelOptions(CH, options);
        p.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
        c.node("b").join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
        c.crash("b");
        return p;
    }

    /** Starts a thread publishing {@code payload}, and returns once it is waiting for room. */
    private static Thread blockedPublisher(TetherNode p, String payload, CompletableFuture<MessageId> result) {
        Thread t = new Thread(() -> {
            try {
                p.publish(CH, utf8(payload)).whenComplete((id, e) -> {
                    if (e != null) result.completeExceptionally(e);
                    else result.complete(id);
                });
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        Await.until(
                DEADLINE,
                () -> t.getState() == Thread.State.TIMED_WAITING || result.isDone(),
                () -> "publisher " + payload + " waiting for room");
        assertThat(result).isNotDone();
        return t;
    }

    private static List<TetherEvent.Overflow> overflows(Cluster c) {
        List<TetherEvent.Overflow> l = new ArrayList<>();
        for (TetherEvent e : c.events("p")) {
            if (e instanceof TetherEvent.Overflow o) l.add(o);
        }
        return l;
    }

    @Test
    void eightPublishersBlockedOnOneLogGetRoomInTheOrderTheyArrivedAsTheReaderCatchesUp() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxMessages(1).blockFor(DEADLINE));
            p.publish(CH, utf8("first")).get(10, TimeUnit.SECONDS);
            List<CompletableFuture<MessageId>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CompletableFuture<MessageId> r = new CompletableFuture<>();
                blockedPublisher(p, "s" + i, r);
                results.add(r);
            }
            assertThat(p.stats().blockedPublishes()).isEqualTo(8);
            c.start("b"); // reads one message at a time: each read frees the room of the next in line
            Map<Long, Integer> bySeq = new TreeMap<>();
            for (int i = 0; i < 8; i++)
                bySeq.put(results.get(i).get(30, TimeUnit.SECONDS).seq(), i);
            assertThat(bySeq.values()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            Await.until(
                    DEADLINE,
                    () -> c.payloads("b", "p", LANE).size() == 9,
                    () -> "b got " + c.payloads("b", "p", LANE));
            assertThat(c.payloads("b", "p", LANE))
                    .containsExactly("first", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
            assertThat(p.stats().blockedPublishes()).isZero();
            assertThat(p.stats().publishesRejected()).isZero();
        }
    }

    @Test
    void anInterruptedPublisherLeavesTheLineWithoutPublishingAndTheOthersKeepTheirOrder() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxMessages(1).blockFor(DEADLINE));
            p.publish(CH, utf8("first")).get(10, TimeUnit.SECONDS);
            List<CompletableFuture<MessageId>> results = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CompletableFuture<MessageId> r = new CompletableFuture<>();
                threads.add(blockedPublisher(p, "s" + i, r));
                results.add(r);
            }
            threads.get(1).interrupt();
            assertThatThrownBy(() -> results.get(1).get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(ChannelFullException.class)
                    .hasMessageContaining("interrupted while waiting for room in channel news")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(results.get(0)).isNotDone();
            c.start("b");
            long s0 = results.get(0).get(30, TimeUnit.SECONDS).seq();
            long s2 = results.get(2).get(30, TimeUnit.SECONDS).seq();
            assertThat(s2).isEqualTo(s0 + 1); // nothing of the interrupted publisher came between them
            Await.until(
                    DEADLINE,
                    () -> c.payloads("b", "p", LANE).size() == 3,
                    () -> "b got " + c.payloads("b", "p", LANE));
            assertThat(c.payloads("b", "p", LANE)).containsExactly("first", "s0", "s2");
            assertThat(p.stats().publishesRejected()).isEqualTo(1);
        }
    }

    @Test
    void aWaitThatEndsWithoutRoomFailsSayingHowLongItWaitedCountedAndReported() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            Duration wait = Duration.ofMillis(100);
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxMessages(2).blockFor(wait));
            p.publish(CH, utf8("m0")).get(10, TimeUnit.SECONDS);
            p.publish(CH, utf8("m1")).get(10, TimeUnit.SECONDS);
            CompletableFuture<MessageId> late = p.publish(CH, utf8("late"));
            assertThat(late).isCompletedExceptionally(); // the wait was spent on this thread, in publish
            assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ChannelFullException.class)
                    .hasMessageContaining("channel news is full: it holds 2 messages of 2")
                    .hasMessageContaining("waited 100 ms");
            assertThat(p.stats().publishesRejected()).isEqualTo(1);
            Await.until(DEADLINE, () -> !overflows(c).isEmpty(), () -> "no overflow report: " + c.events("p"));
            assertThat(overflows(c))
                    .singleElement()
                    .isEqualTo(new TetherEvent.Overflow(
                            P, LANE, OverflowPolicy.block(wait), TetherEvent.Overflow.What.TIMED_OUT, 1, 0));
        }
    }

    @Test
    void aShutdownWakesWaitingPublishersWithNodeClosed() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxMessages(1).blockFor(DEADLINE));
            p.publish(CH, utf8("first")).get(10, TimeUnit.SECONDS);
            CompletableFuture<MessageId> r = new CompletableFuture<>();
            blockedPublisher(p, "waiting", r);
            p.shutdown(Duration.ZERO);
            assertThatThrownBy(() -> r.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(NodeClosedException.class);
        }
    }

    @Test
    void theNodeThreadMayNotWaitForRoomInAFullLog() throws Exception {
        AtomicReference<TetherNode> self = new AtomicReference<>();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = c.start(
                    "p",
                    cfg -> cfg.listener(e -> {
                        // The overflow report of the offer below is raised on the node thread.
                        if (e instanceof TetherEvent.Overflow && self.get() != null && !seen.isDone()) {
                            try {
                                self.get().publish(CH, utf8("from the node thread"));
                                seen.complete(null);
                            } catch (Throwable t) {
                                seen.complete(t);
                            }
                        }
                    }));
            c.start("b");
            p.channelOptions(CH, ChannelOptions.unlimited().withMaxMessages(1).blockFor(DEADLINE));
            p.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            c.node("b").join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            c.crash("b");
            p.publish(CH, utf8("first")).get(10, TimeUnit.SECONDS);
            self.set(p);
            assertThat(p.offerPublish(CH, Map.of(), utf8("offered")).taken()).isFalse();
            assertThat(seen.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("channel news is full and its policy BLOCK would wait on the node thread");
        }
    }

    @Test
    void offerTakesWhatFitsAndRefusesTheRestWithoutThrowing() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxMessages(2).whenFull(ChannelOptions.WhenFull.REJECT));
            PublishOffer one = p.offerPublish(CH, Map.of(), utf8("1"));
            PublishOffer two = p.offerPublish(CH, Map.of(), utf8("2"));
            PublishOffer three = p.offerPublish(CH, Map.of(), utf8("3"));
            assertThat(one.taken()).isTrue();
            assertThat(two.taken()).isTrue();
            assertThat(three.taken()).isFalse();
            assertThat(three.accepted()).isNull();
            assertThat(three.refusal()).hasMessageContaining("channel news is full: it holds 2 messages of 2");
            one.accepted().get(10, TimeUnit.SECONDS);
            two.accepted().get(10, TimeUnit.SECONDS);
            assertThat(p.stats().publishesRejected()).isEqualTo(1);
            Await.until(DEADLINE, () -> !overflows(c).isEmpty(), () -> "no overflow report: " + c.events("p"));
            assertThat(overflows(c))
                    .singleElement()
                    .isEqualTo(new TetherEvent.Overflow(
                            P, LANE, OverflowPolicy.REJECT, TetherEvent.Overflow.What.REJECTED, 1, 0));
        }
    }

    @Test
    void aLogThatDropsTheOldestTakesEveryOffer() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(c, ChannelOptions.unlimited().withMaxMessages(1));
            for (int i = 0; i < 3; i++) {
                PublishOffer o = p.offerPublish(CH, Map.of(), utf8("m" + i));
                assertThat(o.taken()).isTrue();
                o.accepted().get(10, TimeUnit.SECONDS);
            }
            assertThat(p.stats().publishesRejected()).isZero();
        }
    }

    @Test
    void blockNeedsAPositiveWaitAndOnlyBlockHasOne() {
        ChannelOptions o = ChannelOptions.unlimited().withMaxMessages(5);
        assertThatThrownBy(() -> o.blockFor(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BLOCK needs a positive maxWait, was PT0S");
        assertThatThrownBy(() -> o.blockFor(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BLOCK needs a positive maxWait, was PT-0.005S");
        assertThatThrownBy(() -> o.whenFull(ChannelOptions.WhenFull.BLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use blockFor(Duration)");
        assertThatThrownBy(() -> new ChannelOptions(5, 5, null, ChannelOptions.WhenFull.REJECT, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWait PT1S applies to BLOCK only, not REJECT");
        assertThat(o.blockFor(Duration.ofSeconds(2))
                        .whenFull(ChannelOptions.WhenFull.REJECT)
                        .maxWait())
                .isNull();
    }

    /**
     * The byte limit counts the new publish too: with 8 of 10 bytes held, an 8-byte publish waits for room instead of
     * being admitted and refused (audit8a M08: a room check counting only the bytes held survived every channel test,
     * all of which limit by count).
     */
    @Test
    void aPublishThatWouldExceedTheByteLimitWaitsForRoomThoughTheLogHoldsLessThanTheLimit() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxBytes(10).blockFor(DEADLINE));
            p.publish(CH, utf8("12345678")).get(10, TimeUnit.SECONDS); // 8 of 10 bytes, kept for b
            CompletableFuture<MessageId> second = new CompletableFuture<>();
            blockedPublisher(p, "abcdefgh", second); // 8 + 8 bytes exceed the limit of 10: it must wait
            assertThat(p.stats().blockedPublishes()).isEqualTo(1);
            c.start("b"); // reading the first message frees its bytes
            assertThat(second.get(30, TimeUnit.SECONDS)).isNotNull();
            Await.until(
                    DEADLINE,
                    () -> c.payloads("b", "p", LANE).size() == 2,
                    () -> "b got " + c.payloads("b", "p", LANE));
            assertThat(c.payloads("b", "p", LANE)).containsExactly("12345678", "abcdefgh");
            assertThat(p.stats().publishesRejected()).as("nothing refused").isZero();
        }
    }

    /**
     * "A publish larger than the byte limit is refused at once" (docs/MESSAGING.md, "Backpressure"): it could never
     * fit, so it does not wait its {@code maxWait}, though the log is empty; refused, not timed out (audit8a M09b:
     * without that shortcut it waited the whole 30 s and every test still passed).
     */
    @Test
    void aPublishLargerThanTheByteLimitIsRefusedAtOnceInsteadOfWaiting() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = publisherWithReaderDown(
                    c, ChannelOptions.unlimited().withMaxBytes(10).blockFor(DEADLINE));
            CompletableFuture<MessageId> tooLarge = p.publish(CH, utf8("12345678901")); // 11 bytes of 10
            assertThatThrownBy(() -> tooLarge.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ChannelFullException.class)
                    .message()
                    .doesNotContain("waited");
            assertThat(p.stats().publishesRejected()).isEqualTo(1);
            Await.until(DEADLINE, () -> !overflows(c).isEmpty(), () -> "no overflow report: " + c.events("p"));
            assertThat(overflows(c))
                    .as("refused at once, not after a wait")
                    .singleElement()
                    .isEqualTo(new TetherEvent.Overflow(
                            P, LANE, OverflowPolicy.block(DEADLINE), TetherEvent.Overflow.What.REJECTED, 1, 0));
        }
    }
}
