package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.StoreException;
import dev.tether.internal.engine.StreamKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Receipts on one thread, standing in for the node thread. */
class ReceiptsTest {
    private static final StreamKey KEY = new StreamKey(NodeId.of("b"), "l");
    private final AtomicLong pending = new AtomicLong();
    private final long[] acked = {0};
    private final Receipts receipts = new Receipts(pending, k -> acked[0]);

    private Receipts.Receipt receipt(long token) {
        Receipts.Receipt r = new Receipts.Receipt(100, receipts::watch, () -> false);
        pending.addAndGet(100);
        receipts.register(token, r);
        return r;
    }

    @Test
    void aBacklogWhoseProcessedFuturesNobodyAskedForHoldsNothing() {
        List<Receipts.Receipt> kept = new ArrayList<>();
        for (long t = 1; t <= 100_000; t++) {
            Receipts.Receipt r = receipt(t);
            receipts.accepted(t, KEY, t);
            if (t % 10_000 == 0) kept.add(r);
        }
        assertThat(receipts.watched()).isZero();
        assertThat(pending.get()).isZero();
        kept.forEach(Receipts.Receipt::processed);
        assertThat(receipts.watched()).isEqualTo(10);
        acked[0] = 100_000;
        receipts.acked(KEY, 100_000);
        assertThat(receipts.watched()).isZero();
        assertThat(kept).allSatisfy(r -> assertThat(r.processed()).isCompletedWithValue(Outcome.PROCESSED));
    }

    @Test
    void processedAskedBeforeAcceptanceOrAfterTheAckStillCompletesWithTheRightOutcome() {
        Receipts.Receipt early = receipt(1);
        early.processed();
        Receipts.Receipt late = receipt(2);
        receipts.accepted(1, KEY, 1);
        receipts.accepted(2, KEY, 2);
        receipts.outcome(KEY, 2, Outcome.DEAD_LETTERED);
        acked[0] = 2;
        receipts.acked(KEY, 2);
        assertThat(early.processed()).isCompletedWithValue(Outcome.PROCESSED);
        assertThat(late.processed()).isCompletedWithValue(Outcome.DEAD_LETTERED);
    }

    @Test
    void aRejectedSendFailsBothFuturesWhenEverAsked() {
        Receipts.Receipt r = receipt(1);
        receipts.rejected(1, new StoreException("disk on fire"));
        assertThat(r.accepted()).isCompletedExceptionally();
        assertThat(r.processed()).isCompletedExceptionally();
        assertThat(pending.get()).isZero();
    }

    @Test
    void acceptedAskedBeforeOrAfterAcceptanceCompletesOnceWithTheMessageId() {
        Receipts.Receipt early = receipt(1);
        CompletableFuture<MessageId> asked = early.accepted();
        assertThat(asked).isNotDone();
        Receipts.Receipt late = receipt(2);
        receipts.accepted(1, KEY, 1);
        receipts.accepted(2, KEY, 2);
        assertThat(asked).isCompletedWithValue(new MessageId(KEY.peer(), KEY.lane(), 1));
        assertThat(early.accepted()).isSameAs(asked);
        assertThat(late.accepted()).isCompletedWithValue(new MessageId(KEY.peer(), KEY.lane(), 2));
        late.fail(new StoreException("too late")); // an acceptance decided stands
        assertThat(late.accepted()).isCompletedWithValue(new MessageId(KEY.peer(), KEY.lane(), 2));
        assertThat(pending.get()).isZero();
    }

    @Test
    void aReceiptFailedBeforeItsAcceptanceStaysFailed() {
        Receipts.Receipt r = receipt(1);
        r.fail(new StoreException("node stopped"));
        receipts.accepted(1, KEY, 1);
        assertThat(r.accepted()).isCompletedExceptionally();
    }

    @Test
    void acceptedAskedOnAnotherThreadWhileTheNodeThreadAcceptsIsNeverLeftIncomplete() throws Exception {
        int n = 20_000;
        List<Receipts.Receipt> all = new ArrayList<>();
        for (long t = 1; t <= n; t++) all.add(receipt(t));
        List<CompletableFuture<MessageId>> asked = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        Thread asker = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Receipts.Receipt r : all) asked.add(r.accepted());
        });
        asker.start();
        go.countDown();
        for (long t = 1; t <= n; t++) receipts.accepted(t, KEY, t);
        asker.join(30_000);
        assertThat(asker.isAlive()).isFalse();
        assertThat(asked).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(asked.get(i)).isCompletedWithValue(new MessageId(KEY.peer(), KEY.lane(), i + 1));
        }
    }

    /** A receipt as a send makes it: taken later by its command; counts the watches {@code processed()} posts. */
    private Receipts.Receipt untaken(AtomicInteger posted) {
        return new Receipts.Receipt(
                100,
                r -> {
                    posted.incrementAndGet();
                    receipts.watch(r);
                },
                () -> false,
                null,
                false);
    }

    @Test
    void processedAskedBeforeTheSendIsTakenPostsNothingAndIsWatchedByTheTaking() {
        AtomicInteger posted = new AtomicInteger();
        Receipts.Receipt r = untaken(posted);
        CompletableFuture<Outcome> f = r.processed();
        assertThat(posted).hasValue(0);
        assertThat(r.take()).isTrue(); // as SendCommands.Submit: it watches the receipt itself
        pending.addAndGet(100);
        receipts.register(1, r);
        receipts.watch(r);
        receipts.accepted(1, KEY, 1);
        assertThat(f).isNotDone();
        acked[0] = 1;
        receipts.acked(KEY, 1);
        assertThat(f).isCompletedWithValue(Outcome.PROCESSED);
        assertThat(posted).hasValue(0);
    }

    @Test
    void processedAskedAfterTheSendIsTakenPostsItsOwnWatch() {
        AtomicInteger posted = new AtomicInteger();
        Receipts.Receipt r = untaken(posted);
        assertThat(r.take()).isFalse();
        pending.addAndGet(100);
        receipts.register(1, r);
        receipts.accepted(1, KEY, 1);
        CompletableFuture<Outcome> f = r.processed();
        assertThat(posted).hasValue(1);
        acked[0] = 1;
        receipts.acked(KEY, 1);
        assertThat(f).isCompletedWithValue(Outcome.PROCESSED);
    }

    /**
     * The caller's {@code processed()} and the node thread's taking race on many receipts (asked first, then both at
     * once, then taken first): for each, exactly one of them arranges the watch (neither would leave the future
     * hanging; both would register it twice).
     */
    @Test
    void askingAndTakingRacingWatchEachReceiptExactlyOnce() throws Exception {
        int n = 200_000;
        AtomicIntegerArray watches = new AtomicIntegerArray(n);
        Receipts.Receipt[] rs = new Receipts.Receipt[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            rs[i] = new Receipts.Receipt(100, w -> watches.incrementAndGet(index), () -> false, null, false);
        }
        AtomicInteger asked = new AtomicInteger();
        CompletableFuture<Void> asker = CompletableFuture.runAsync(() -> {
            for (Receipts.Receipt r : rs) {
                r.processed();
                asked.incrementAndGet();
            }
        });
        // The taker starts a quarter behind and, being quicker, overtakes: asked first, then racing, then taken first.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (asked.get() < n / 4 && System.nanoTime() < deadline) Thread.onSpinWait();
        for (int i = 0; i < n; i++) {
            if (rs[i].take()) watches.incrementAndGet(i);
        }
        asker.get(1, TimeUnit.MINUTES);
        for (int i = 0; i < n; i++) {
            assertThat(watches.get(i)).as("watches of receipt %d", i).isEqualTo(1);
        }
    }
}
