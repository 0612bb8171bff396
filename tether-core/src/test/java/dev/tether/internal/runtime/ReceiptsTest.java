package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.StoreException;
import dev.tether.internal.engine.StreamKey;
import java.util.ArrayList;
import java.util.List;
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
}
