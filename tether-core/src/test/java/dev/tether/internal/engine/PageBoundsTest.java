package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import dev.tether.spi.StoredMessage;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounds of an outbound stream's in-memory page, by messages and by bytes, one page and several. */
class PageBoundsTest {
    private static final NodeId B = NodeId.of("b");

    private static EngineConfig config(int window, long budget) {
        RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0);
        return new EngineConfig(
                        NodeId.of("a"),
                        Set.of(B),
                        window,
                        1 << 20,
                        1000,
                        100,
                        1000,
                        retry,
                        FailurePolicy.DEAD_LETTER,
                        4)
                .withPageBudgetBytes(budget);
    }

    /** A page and the ring it bounds, filled with messages of {@code payload} bytes. */
    private static final class Page {
        final PageBounds bounds;
        final OutRing ring = new OutRing();
        long next = 1;

        Page(PageBounds bounds) {
            this.bounds = bounds;
            ring.resetTo(1);
        }

        /** Offers messages until one is refused; returns how many were taken. */
        int fill(int payload) {
            int n = 0;
            while (offer(payload)) n++;
            return n;
        }

        boolean offer(int payload) {
            StoredMessage m = new StoredMessage(B, "l", next, 0, Map.of(), new byte[payload]);
            if (!bounds.cache(ring, m, false)) return false;
            assertThat(ring.stored(next)).isSameAs(m);
            next++;
            return true;
        }
    }

    private static int size(int payload) {
        return FrameCodec.messageSize(Map.of(), payload);
    }

    @Test
    void holdsThePageSizeUntilTheCreditReachesBeyondItThenAtMostTheLargest() {
        EngineConfig cfg = config(128, EngineConfig.DEFAULT_PAGE_BUDGET_BYTES);
        Page p = new Page(new PageBounds.Budget(cfg).page());
        assertThat(p.fill(100)).isEqualTo(cfg.pageMessages()).isEqualTo(256);
        p.bounds.creditReaches(100); // the credit and a window more stay within the page: no growth
        assertThat(p.offer(100)).isFalse();
        p.bounds.creditReaches(300); // covers the credit and a window more, doubling at least
        assertThat(p.bounds.limit()).isEqualTo(512);
        assertThat(p.fill(100)).isEqualTo(256);
        p.bounds.creditReaches(1_000_000);
        assertThat(p.bounds.limit()).isEqualTo(cfg.maxPageMessages()).isEqualTo(2048);
        assertThat(p.fill(100)).isEqualTo(2048 - 512);
        assertThat(p.bounds.count()).isEqualTo(2048);
        assertThat(p.bounds.bytes()).isEqualTo(2048L * size(100));

        p.bounds.removeUpTo(p.ring, 1000);
        assertThat(p.ring.nextSeq() - p.ring.size()).isEqualTo(1001);
        assertThat(p.bounds.count()).isEqualTo(1048);
        assertThat(p.bounds.room()).isEqualTo(1000);
        p.bounds.removeUpTo(p.ring, p.next - 1);
        p.bounds.idle(p.ring); // nothing unsettled: back to the first size
        assertThat(p.bounds.limit()).isEqualTo(256);
        assertThat(p.bounds.count()).isZero();
        assertThat(p.bounds.bytes()).isZero();
        assertThat(p.fill(100)).isEqualTo(256);
    }

    @Test
    void bytesBeyondTheFloorAreDrawnFromTheSharedBudgetAndGivenBack() {
        long budgetBytes = 1 << 20;
        int payload = 16 << 10;
        int size = size(payload);
        PageBounds.Budget budget = new PageBounds.Budget(config(128, budgetBytes));
        long pageMax = PageBounds.FLOOR_BYTES + budgetBytes / 4; // one page draws at most a quarter
        Page[] pages = new Page[5];
        int total = 0;
        for (int i = 0; i < pages.length; i++) {
            pages[i] = new Page(budget.page());
            int n = pages[i].fill(payload);
            assertThat(pages[i].bounds.bytes()).isLessThanOrEqualTo(pageMax);
            assertThat(budget.used()).isLessThanOrEqualTo(budgetBytes);
            total += n;
            if (i < 3) assertThat(n).isEqualTo((int) (pageMax / size)); // the first ones take their full share
        }
        // Four full shares would exhaust it: the fifth page gets its floor and what is left.
        assertThat(pages[4].bounds.bytes()).isLessThan(pageMax - size);
        assertThat((long) total * size).isLessThanOrEqualTo(5L * PageBounds.FLOOR_BYTES + budgetBytes);
        assertThat(pages[4].bounds.room()).isZero();

        pages[0].bounds.removeUpTo(pages[0].ring, pages[0].next - 1); // acknowledged: its bytes go back
        assertThat(pages[0].bounds.bytes()).isZero();
        assertThat(pages[4].bounds.room()).isPositive();
        assertThat(pages[4].fill(payload)).isPositive();
        assertThat(pages[4].bounds.bytes()).isLessThanOrEqualTo(pageMax);
        long drawn = 0;
        for (Page p : pages) drawn += Math.max(0, p.bounds.bytes() - PageBounds.FLOOR_BYTES);
        assertThat(budget.used()).isEqualTo(drawn).isLessThanOrEqualTo(budgetBytes);
    }

    @Test
    void aPageThatHoldsNothingTakesItsNextMessageWhateverItsSize() {
        PageBounds.Budget budget = new PageBounds.Budget(config(128, 0)); // nothing beyond the floors
        Page p = new Page(budget.page());
        assertThat(p.bounds.room()).isEqualTo(PageBounds.FLOOR_BYTES / 1024); // no size known yet: 1 KiB each
        assertThat(p.offer(1 << 20)).isTrue(); // far beyond the floor, but the page was empty
        assertThat(p.offer(10)).isFalse();
        assertThat(p.bounds.room()).isZero();
        // That message took the budget past its limit: another page still has its floor.
        Page other = new Page(budget.page());
        assertThat(other.fill(1000)).isEqualTo(PageBounds.FLOOR_BYTES / size(1000));
        other.bounds.removeUpTo(other.ring, other.next - 1);
        p.bounds.removeUpTo(p.ring, 1);
        assertThat(budget.used()).isZero();
        // A read from the store is sized by the last message taken, of which the floor holds none: one, to go on.
        assertThat(p.bounds.room()).isEqualTo(1);
        assertThat(p.fill(1000)).isEqualTo(PageBounds.FLOOR_BYTES / size(1000));
        p.bounds.removeUpTo(p.ring, p.next - 1);
        assertThat(p.bounds.room()).isEqualTo(PageBounds.FLOOR_BYTES / size(1000));
    }

    @Test
    void aVolatileStreamsPageTakesEverything() {
        Page p = new Page(PageBounds.unbounded());
        p.bounds.creditReaches(1_000_000);
        for (int i = 0; i < 5000; i++) assertThat(p.offer(1000)).isTrue();
        assertThat(p.bounds.count()).isEqualTo(5000);
        p.bounds.removeUpTo(p.ring, 5000);
        assertThat(p.bounds.count()).isZero();
    }
}
