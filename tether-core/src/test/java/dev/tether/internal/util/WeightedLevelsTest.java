package dev.tether.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bounds {@link WeightedLevels} states (docs/PROTOCOL.md, "Priority"): exact shares per block while the levels
 * with work stay the same, the wait of a level between two picks under any churn, the FIFO wait of a member inside
 * its level, and no starvation of level 0 under a saturating level 7.
 */
class WeightedLevelsTest {
    /** A member: its slot, and how much work it has left (quanta). */
    private static final class M {
        final WeightedLevels.Slot slot = new WeightedLevels.Slot();
        final int id;
        int level;
        int work;

        M(int id, int level, int work) {
            this.id = id;
            this.level = level;
            this.work = work;
        }

        @Override
        public String toString() {
            return "m" + id + "@" + level;
        }
    }

    private static WeightedLevels<M> scheduler() {
        return new WeightedLevels<>(m -> m.slot);
    }

    private static long seed(String what) {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println(
                "WeightedLevelsTest." + what + " seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        return seed;
    }

    /** The bound on picks of other levels between two picks of {@code p} when {@code active} levels have work. */
    private static int bound(int p, boolean[] active) {
        int b = 0;
        for (int q = 0; q < 8; q++) {
            if (q != p && active[q]) b += (1 << q) / (1 << p) + 1;
        }
        return b;
    }

    @Test
    void everyBlockOfPicksGivesEachLevelExactlyItsWeight() {
        Random r = new Random(seed("exactShares"));
        for (int round = 0; round < 200; round++) {
            WeightedLevels<M> w = scheduler();
            boolean[] active = new boolean[8];
            int total = 0;
            for (int l = 0; l < 8; l++) {
                if (round == 0 || r.nextBoolean()) {
                    active[l] = true;
                    total += 1 << l;
                    for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) w.add(new M(l * 10 + i, l, Integer.MAX_VALUE), l);
                }
            }
            if (total == 0) continue;
            for (int block = 0; block < 5; block++) {
                int[] picks = new int[8];
                for (int i = 0; i < total; i++) {
                    M m = w.next();
                    assertThat(w.lastLevel()).isEqualTo(m.level);
                    picks[m.level]++;
                    w.add(m, m.level); // saturating: always more work
                }
                for (int l = 0; l < 8; l++) {
                    assertThat(picks[l])
                            .as("round %d block %d level %d of %d picks", round, block, l, total)
                            .isEqualTo(active[l] ? 1 << l : 0);
                }
            }
        }
    }

    @Test
    void levelZeroUnderAllOthersGetsOneOf255AndWaitsAtMost261Picks() {
        WeightedLevels<M> w = scheduler();
        for (int l = 0; l < 8; l++) w.add(new M(l, l, Integer.MAX_VALUE), l);
        int sinceZero = 0, maxGap = 0, zeros = 0;
        for (int i = 0; i < 255 * 40; i++) {
            M m = w.next();
            if (m.level == 0) {
                zeros++;
                maxGap = Math.max(maxGap, sinceZero);
                sinceZero = 0;
            } else {
                sinceZero++;
            }
            w.add(m, m.level);
        }
        assertThat(zeros).isEqualTo(40);
        assertThat(maxGap).isLessThanOrEqualTo(261);
        assertThat(maxGap).isGreaterThanOrEqualTo(254); // it does wait for the others' share
    }

    /**
     * Seeded churn: members come and go with random work at random levels, some rise while queued. Whenever level
     * {@code p} has work, the picks of other levels until its next pick stay within {@link #bound} for every
     * combination of levels that had work in between (the bound for all of them); a member is picked after at most
     * the members that were ahead of it in its ring.
     */
    @Test
    void boundsHoldUnderChurn() {
        Random r = new Random(seed("churn"));
        WeightedLevels<M> w = scheduler();
        List<M> queued = new ArrayList<>();
        int[] othersSince = new int[8]; // picks of other levels since p last had a pick or got work
        Map<M, Integer> aheadOf = new HashMap<>(); // members of its ring ahead of it when it was queued
        Map<M, Integer> levelPicksSince = new HashMap<>();
        boolean[] everActive = new boolean[8];
        int id = 0;
        for (int step = 0; step < 200_000; step++) {
            int op = r.nextInt(10);
            if (op == 0 || queued.isEmpty()) {
                int level = r.nextInt(8);
                M m = new M(id++, level, 1 + r.nextInt(r.nextBoolean() ? 3 : 20));
                if (w.queuedAt(level) == 0) othersSince[level] = 0;
                aheadOf.put(m, w.queuedAt(level));
                levelPicksSince.put(m, 0);
                w.add(m, level);
                queued.add(m);
            } else if (op == 1) {
                M m = queued.get(r.nextInt(queued.size()));
                int up = m.level + 1 + r.nextInt(8 - Math.min(7, m.level + 1));
                if (up < 8 && up > m.level) {
                    if (w.queuedAt(up) == 0) othersSince[up] = 0;
                    aheadOf.put(m, w.queuedAt(up));
                    levelPicksSince.put(m, 0);
                    assertThat(w.add(m, up)).isTrue();
                    m.level = up;
                }
            } else if (op == 2 && r.nextInt(5) == 0) {
                M m = queued.remove(r.nextInt(queued.size()));
                assertThat(w.remove(m)).isTrue();
                assertThat(w.remove(m)).isFalse();
            } else {
                pick(w, queued, othersSince, aheadOf, levelPicksSince, everActive);
            }
            assertThat(w.size()).isEqualTo(queued.size());
        }
    }

    private static void pick(
            WeightedLevels<M> w,
            List<M> queued,
            int[] othersSince,
            Map<M, Integer> aheadOf,
            Map<M, Integer> levelPicksSince,
            boolean[] everActive) {
        for (int l = 0; l < 8; l++) everActive[l] = everActive[l] || w.queuedAt(l) > 0;
        M m = w.next();
        int p = m.level;
        assertThat(m.slot.level()).isEqualTo(-1);
        assertThat(levelPicksSince.get(m))
                .as("picks of level %d before %s, queued behind %d", p, m, aheadOf.get(m))
                .isLessThanOrEqualTo(aheadOf.get(m));
        for (M o : queued) {
            if (o != m && o.level == p) levelPicksSince.merge(o, 1, Integer::sum);
        }
        for (int l = 0; l < 8; l++) {
            if (l == p) {
                othersSince[l] = 0;
            } else if (w.queuedAt(l) > 0) {
                othersSince[l]++;
                assertThat(othersSince[l])
                        .as("picks of other levels while level %d waits", l)
                        .isLessThanOrEqualTo(bound(l, everActive));
            }
        }
        if (--m.work > 0) {
            aheadOf.put(m, w.queuedAt(p));
            levelPicksSince.put(m, 0);
            w.add(m, p);
        } else {
            queued.remove(m);
        }
    }

    @Test
    void aLowerLevelKeepsThePlaceAndAHigherOneMoves() {
        WeightedLevels<M> w = scheduler();
        M a = new M(1, 2, 1);
        M b = new M(2, 2, 1);
        w.add(a, 2);
        w.add(b, 2);
        assertThat(w.add(a, 1)).isFalse();
        assertThat(w.add(a, 2)).isFalse();
        assertThat(a.slot.level()).isEqualTo(2);
        assertThat(w.add(a, 6)).isTrue();
        assertThat(w.queuedAt(2)).isEqualTo(1);
        assertThat(w.queuedAt(6)).isEqualTo(1);
        assertThat(w.next()).isSameAs(a);
        assertThat(w.next()).isSameAs(b);
        assertThat(w.next()).isNull();
        assertThat(w.isEmpty()).isTrue();
        assertThatThrownBy(() -> w.add(a, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.add(a, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdleLevelSavesNoTurns() {
        // level 0 runs alone for long, then level 7 arrives: level 0 still gets its share at once, not a burst of
        // turns it "saved", nor is it starved while level 7 catches up.
        WeightedLevels<M> w = scheduler();
        M low = new M(0, 0, Integer.MAX_VALUE);
        w.add(low, 0);
        for (int i = 0; i < 10_000; i++) w.add(w.next(), 0);
        M high = new M(7, 7, Integer.MAX_VALUE);
        w.add(high, 7);
        int lows = 0;
        for (int i = 0; i < 129 * 10; i++) {
            M m = w.next();
            if (m == low) lows++;
            w.add(m, m.level);
        }
        assertThat(lows).isBetween(9, 11);
    }
}
