package dev.tether.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenRing} against a sorted map: tokens taken in order by a few "threads" and put in a shuffled order, removed
 * in any order, through growths, wraps, empty spells and spans that widen at both ends.
 */
class TokenRingTest {
    @Test
    void agreesWithASortedMapUnderRandomPutsAndRemovals() {
        long seed = new Random().nextLong();
        System.out.println("TokenRingTest seed " + seed);
        Random r = new Random(seed);
        TokenRing<Long> ring = new TokenRing<>();
        TreeMap<Long, Long> model = new TreeMap<>();
        List<Long> taken = new ArrayList<>(); // tokens taken and not yet put, as by threads not yet scheduled
        long next = 1 + r.nextInt(1_000);
        for (int step = 0; step < 100_000; step++) {
            String at = "seed " + seed + ", step " + step;
            int op = r.nextInt(100);
            if (op < 30) {
                taken.add(next++);
            } else if (op < 31) {
                next += r.nextInt(100); // tokens taken for something else, never put
            } else if (op < 60 && !taken.isEmpty()) {
                long token = taken.remove(r.nextInt(taken.size()));
                ring.put(token, token * 7);
                model.put(token, token * 7);
            } else if (op < 90 && !model.isEmpty()) {
                // Mostly the oldest, else any: removals in any order.
                long token = r.nextInt(3) == 0 ? model.firstKey() : anyKey(r, model);
                assertThat(ring.remove(token)).as(at).isEqualTo(model.remove(token));
            } else if (op < 95) {
                long token = next - 1 - r.nextInt(2_000); // maybe held, maybe not
                assertThat(ring.remove(token)).as(at).isEqualTo(model.remove(token));
            } else if (op < 96 && r.nextInt(20) == 0) {
                ring.clear();
                model.clear();
            }
            if (step % 257 == 0 || model.size() < 20) check(at, ring, model, next);
        }
    }

    private static long anyKey(Random r, TreeMap<Long, Long> model) {
        long lo = model.firstKey();
        Long k = model.ceilingKey(lo + (long) (r.nextDouble() * (model.lastKey() - lo + 1)));
        return k == null ? model.lastKey() : k;
    }

    private static void check(String at, TokenRing<Long> ring, TreeMap<Long, Long> model, long next) {
        assertThat(ring.size()).as(at).isEqualTo(model.size());
        assertThat(ring.isEmpty()).as(at).isEqualTo(model.isEmpty());
        List<Long> values = new ArrayList<>();
        ring.forEach(values::add);
        assertThat(values).as(at).containsExactlyElementsOf(model.values());
        for (Map.Entry<Long, Long> e : model.entrySet())
            assertThat(ring.get(e.getKey())).as(at).isEqualTo(e.getValue());
        long lo = model.isEmpty() ? next : model.firstKey();
        for (long t = lo - 3; t < next + 3; t += 1 + (next - lo) / 50) {
            assertThat(ring.get(t)).as(at + ", token " + t).isEqualTo(model.get(t));
        }
    }

    @Test
    void refusesATokenHeldAlreadyAndASpanBeyondItsBound() {
        TokenRing<String> ring = new TokenRing<>();
        ring.put(5, "a");
        assertThatThrownBy(() -> ring.put(5, "b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("token 5 is held already");
        assertThatThrownBy(() -> ring.put(5 + TokenRing.MAX_SPAN, "c"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than " + TokenRing.MAX_SPAN);
        assertThat(ring.get(5)).isEqualTo("a");
        assertThat(ring.size()).isEqualTo(1);
        assertThat(ring.remove(5)).isEqualTo("a");
        ring.put(5 + TokenRing.MAX_SPAN, "c"); // alone, any token
        assertThat(ring.get(5 + TokenRing.MAX_SPAN)).isEqualTo("c");
    }
}
