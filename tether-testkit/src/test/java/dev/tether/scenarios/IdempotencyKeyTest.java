package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.B;
import static dev.tether.scenarios.CallsTest.failure;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.DuplicateCallException;
import dev.tether.IdempotencyStats;
import dev.tether.InvalidConfigException;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys between real nodes (in-memory transport and stores): a key from one sender is processed once
 * within the dedup window, across lanes, receiver crashes and a sender retrying after {@link NodeClosedException}.
 */
class IdempotencyKeyTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static SendReceipt send(TetherNode from, String lane, String key, String payload) {
        OutboundMessage.Builder m = OutboundMessage.to(B).lane(lane).payload(utf8(payload));
        if (key != null) m.idempotencyKey(key);
        return from.send(m.build());
    }

    @Test
    void plainSendsWithTheSameKeyFromOneSenderAreProcessedOnceAcrossLanes() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode third = c.start("c");

            List<SendReceipt> receipts = List.of(
                    send(a, "x", "k1", "first"),
                    send(a, "x", "k1", "again on x"),
                    send(a, "x", "k2", "other key"),
                    send(a, "x", null, "no key"));
            for (SendReceipt r : receipts) assertThat(get(r.processed())).isEqualTo(Outcome.PROCESSED);
            assertThat(get(send(a, "y", "k1", "again on y").processed())).isEqualTo(Outcome.PROCESSED);
            assertThat(get(send(third, "x", "k1", "same key, other sender").processed()))
                    .isEqualTo(Outcome.PROCESSED);

            assertThat(c.payloads("b", "a", "x")).containsExactly("first", "other key", "no key");
            assertThat(c.payloads("b", "a", "y")).isEmpty();
            assertThat(c.payloads("b", "c", "x")).containsExactly("same key, other sender");
            assertThat(b.stats().idempotency()).isEqualTo(new IdempotencyStats(3, 2, 0, 0));
            // The duplicates were acknowledged like any message: nothing stays queued.
            assertThat(a.stats().streams())
                    .allSatisfy(s -> assertThat(s.inFlight()).isZero());
        }
    }

    @Test
    void aDuplicateCallIsNotExecutedAndNamesTheOriginal() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            AtomicInteger runs = new AtomicInteger();
            b.handle("pay", call -> utf8("paid #" + runs.incrementAndGet()));

            Reply first = get(a.call(B, "pay").idempotencyKey("order-7").request(utf8("7")));
            Throwable again = failure(a.call(B, "pay").idempotencyKey("order-7").request(utf8("7")));
            Throwable sync = failure(a.call(B, "pay").idempotencyKey("order-7").sync(utf8("7")));
            SendReceipt told = a.call(B, "pay").idempotencyKey("order-7").tell(utf8("7"));

            assertThat(CallsTest.text(first.payloadBytes())).isEqualTo("paid #1");
            assertThat(again)
                    .isInstanceOf(DuplicateCallException.class)
                    .extracting(e -> ((DuplicateCallException) e).original())
                    .isEqualTo(first.requestId())
                    .isEqualTo(new MessageId(B, "pay", 1));
            assertThat(sync).isInstanceOf(DuplicateCallException.class);
            assertThat(get(told.processed())).isEqualTo(Outcome.PROCESSED);
            assertThat(get(a.call(B, "pay").idempotencyKey("order-8").request(utf8("8")))
                            .payloadBytes())
                    .isEqualTo(utf8("paid #2"));
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void keysSurviveACrashOfTheReceiver() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b");
            assertThat(get(send(a, "x", "k", "original").processed())).isEqualTo(Outcome.PROCESSED);

            c.kill("b"); // SIGKILL-like: b keeps exactly what it committed
            c.start("b");
            assertThat(get(send(a, "x", "k", "retry").processed())).isEqualTo(Outcome.PROCESSED);

            assertThat(c.payloads("b", "a", "x")).containsExactly("original");
        }
    }

    /**
     * The sender's node stops while its keyed message is stored but not processed: processed() fails with
     * NodeClosedException ("may have been stored"). After restarting it, the application retries with the same key:
     * the stored original and the retry both reach the receiver, which processes one of them.
     */
    @Test
    void aRetryAfterNodeClosedExceptionIsProcessedOnce() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            SendReceipt original = send(a, "x", "pay-1", "original");
            get(original.accepted()); // stored; b is not running, so it is not processed
            c.crash("a"); // closes a without waiting: its store keeps what was committed
            assertThatThrownBy(() -> original.processed().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NodeClosedException.class);

            a = c.start("a");
            c.start("b");
            SendReceipt retry = send(a, "x", "pay-1", "retry");
            assertThat(get(retry.processed())).isEqualTo(Outcome.PROCESSED);
            TetherNode sender = a;
            Await.until(
                    DEADLINE,
                    () -> sender.stats().streams().stream().allMatch(s -> s.inFlight() == 0),
                    () -> "drained");

            assertThat(c.payloads("b", "a", "x")).containsExactly("original");
        }
    }

    @Test
    void aKeyIsForgottenAfterItsWindow() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", b -> b.clock(clock));
            c.start("b", b -> b.clock(clock).idempotencyKeys(Duration.ofMinutes(1), 100));
            assertThat(get(send(a, "x", "k", "one").processed())).isEqualTo(Outcome.PROCESSED);
            clock.advance(Duration.ofSeconds(59));
            assertThat(get(send(a, "x", "k", "within").processed())).isEqualTo(Outcome.PROCESSED);
            clock.advance(Duration.ofSeconds(2));
            assertThat(get(send(a, "x", "k", "after").processed())).isEqualTo(Outcome.PROCESSED);

            assertThat(c.payloads("b", "a", "x")).containsExactly("one", "after");
        }
    }

    @Test
    void beyondMaxKeysTheOldestAreForgotten() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b", cfg -> cfg.idempotencyKeys(Duration.ofHours(1), 2));
            for (String k : List.of("k1", "k2", "k3")) get(send(a, "x", k, k).processed());
            get(send(a, "x", "k3", "k3 again").processed()); // still known
            get(send(a, "x", "k1", "k1 again").processed()); // forgotten: the third key pushed it out

            assertThat(c.payloads("b", "a", "x")).containsExactly("k1", "k2", "k3", "k1 again");
            assertThat(b.stats().idempotency()).isEqualTo(new IdempotencyStats(2, 1, 2, 0));
        }
    }

    @Test
    void badKeysAndSettingsAreRefusedWhereTheyAreGiven() {
        OutboundMessage.Builder m = OutboundMessage.to(B);
        assertThatThrownBy(() -> m.idempotencyKey("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.idempotencyKey("has space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.idempotencyKey("k".repeat(201))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.header(OutboundMessage.IDEMPOTENCY_KEY_HEADER, "k"))
                .isInstanceOf(IllegalArgumentException.class);
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("a"));
        assertThatThrownBy(() -> b.idempotencyKeys(Duration.ZERO, 1)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> b.idempotencyKeys(Duration.ofDays(31), 1)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> b.idempotencyKeys(Duration.ofHours(1), 0)).isInstanceOf(InvalidConfigException.class);
    }

    @Test
    void aVolatileCallWithAKeyIsDedupedInMemory() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            AtomicInteger runs = new AtomicInteger();
            b.handle("quote", call -> utf8("q" + runs.incrementAndGet()));
            CompletableFuture<Reply> first =
                    a.call(B, "quote").volatileDelivery().idempotencyKey("q-1").request(utf8("?"));
            assertThat(get(first).payloadBytes()).isEqualTo(utf8("q1"));
            Throwable again = failure(
                    a.call(B, "quote").volatileDelivery().idempotencyKey("q-1").request(utf8("?")));
            assertThat(again).isInstanceOf(DuplicateCallException.class);
            assertThat(runs).hasValue(1);
        }
    }
}
