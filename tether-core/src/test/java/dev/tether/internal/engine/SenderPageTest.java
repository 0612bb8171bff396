package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import dev.tether.spi.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A sender stream's in-memory page ({@link PageBounds}): it reaches as far as the receiver's credit, within its
 * bounds; what it does not hold is read from the store, in order.
 */
class SenderPageTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey KEY = new StreamKey(B, "l");

    private static StoredMessage message(long seq) {
        return new StoredMessage(B, "l", seq, 0, Map.of(), ("m" + seq).getBytes());
    }

    private static List<StoredMessage> messages(long from, long to) {
        List<StoredMessage> l = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) l.add(message(seq));
        return l;
    }

    @Test
    void thePageReachesAsFarAsTheCreditThenAtMostItsLargestSize() {
        RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0);
        EngineConfig cfg = new EngineConfig(
                A,
                Set.of(B),
                128,
                4096,
                100_000,
                100,
                1000,
                retry,
                FailurePolicy.DEAD_LETTER,
                4); // a page of 256 messages at first, of 2,048 at most
        OutStream s = new OutStream(KEY, 0, 0, new PageBounds.Budget(cfg).page(), new TimerQueue<>());
        for (StoredMessage m : messages(1, 5000)) {
            commit(s, m);
        }
        assertThat(s.memLast()).isEqualTo(256); // committed beyond the page: left in the store
        s.acked(0, 0, 0, 100, 100); // the receiver opens the stream, with a credit (and a window more) within the page
        assertThat(s.pageToLoad()).isEqualTo(-1);
        // Its credit runs ahead of its acknowledgment (it processed 900, it committed its cursor at 100).
        s.acked(0, 900, 100, 1000, 100);
        assertThat(s.pageToLoad()).isEqualTo(257);
        assertThat(s.pageRoom()).isEqualTo(1128 - 256); // up to the credit and a window more
        s.loaded(messages(257, 5000)); // a read brings what it was asked for and the page keeps what fits
        assertThat(s.memLast()).isEqualTo(1128);
        for (long seq = 101; seq <= 1128; seq++)
            assertThat(s.toTransmit(seq).stored(seq).seq()).isEqualTo(seq);
        s.acked(0, 1000, 1000, 4000, 100); // far beyond: at most 2,048 messages
        assertThat(s.pageToLoad()).isEqualTo(1129);
        s.loaded(messages(1129, 5000));
        assertThat(s.memLast()).isEqualTo(1000 + cfg.maxPageMessages());
        assertThat(s.messagesInMemory()).isEqualTo(cfg.maxPageMessages());
        s.acked(0, 5000, 5000, 5128, 100); // everything acknowledged: back to the first size
        assertThat(s.messagesInMemory()).isZero();
        for (long seq = 5001; seq <= 6000; seq++) commit(s, message(seq));
        assertThat(s.memLast()).isEqualTo(5000 + cfg.pageMessages());
    }

    /** Nodes a and b with a window of 32 and this page budget. */
    private static EngineHarness harness(long pageBudgetBytes) {
        EngineHarness h = new EngineHarness("a", "b");
        h.window = 32;
        h.pageBudgetBytes = pageBudgetBytes;
        h.node("a").crash(); // processes with these settings
        h.node("b").crash();
        return h;
    }

    @Test
    void aReceiverThatCommitsWithinTheCreditKeepsThePageAtItsFirstSize() {
        EngineHarness h = harness(EngineConfig.DEFAULT_PAGE_BUDGET_BYTES);
        EngineConfig cfg = h.config(A);
        h.node("b").poison.add(300L); // the application is stuck at 300: the credit stops at 299 + the window
        h.connect("a", "b");
        for (int i = 0; i < 1000; i++) h.node("a").send(B, "l", "m" + i);
        for (int i = 0; i < 5; i++) h.advance(5);
        assertThat(h.node("a").engine.messagesInMemory()).isLessThanOrEqualTo(cfg.pageMessages());
    }

    /** 3,000 bytes, "lane:index:" first. */
    private static String payload(int lane, int i) {
        String head = lane + ":" + i + ":";
        return head + "x".repeat(3000 - head.length());
    }

    @Test
    void pagesHoldNoMoreBytesThanTheirFloorsAndTheSharedBudget() {
        // One page: 64 KiB of floor (21 messages) and at most 16 KiB of the budget (27 in all), below the window's 32.
        EngineHarness h = harness(64 << 10);
        int lanes = 16;
        int perLane = 100;
        long size = FrameCodec.messageSize(Map.of(), 3000);
        h.connect("a", "b");
        h.node("b").holdCommits = true; // nothing is acknowledged: everything transmitted stays in the pages
        for (int i = 0; i < perLane; i++) {
            for (int l = 0; l < lanes; l++) h.node("a").send(B, "l" + l, payload(l, i));
        }
        h.run();
        Map<String, Integer> byLane = new HashMap<>();
        for (String p : h.node("b").payloads()) byLane.merge(p.substring(0, p.indexOf(':')), 1, Integer::sum);
        long perPage = (PageBounds.FLOOR_BYTES + h.pageBudgetBytes / 4) / size;
        assertThat(byLane.values()).hasSize(lanes).allMatch(n -> n <= perPage);
        long total = h.node("b").delivered.size();
        // Each page alone could take 27, 432 together; the floors and the budget hold them to 369.
        assertThat(total * size).isLessThanOrEqualTo(lanes * (long) PageBounds.FLOOR_BYTES + h.pageBudgetBytes);
        assertThat(total).isGreaterThanOrEqualTo(lanes * (PageBounds.FLOOR_BYTES / size));
        h.node("b").releaseCommits();
        h.run();
        Map<String, List<String>> got = new HashMap<>();
        for (String p : h.node("b").payloads()) {
            got.computeIfAbsent(p.substring(0, p.indexOf(':')), k -> new ArrayList<>())
                    .add(p);
        }
        for (int l = 0; l < lanes; l++) {
            List<String> want = new ArrayList<>();
            for (int i = 0; i < perLane; i++) want.add(payload(l, i));
            assertThat(got.get(String.valueOf(l))).containsExactlyElementsOf(want);
        }
        assertThat(h.node("a").loads).isPositive(); // what did not fit was read from the store
        assertThat(h.node("a").engine.messagesInMemory()).isZero();
    }

    /** Commits {@code m} on {@code s} as the engine does: with the size and level of the send it was numbered from. */
    private static void commit(OutStream s, StoredMessage m) {
        PendingSend p = new PendingSend(0, m.headers(), m.payload(), m.expiresAtMillis());
        s.committed(m, p.size(), p.level());
    }
}
