package dev.tether.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LongHeap} against {@link PriorityQueue} on seeded random operations. */
class LongHeapTest {
    private record Pair(long key, long value) {}

    @Test
    void behavesLikeAPriorityQueue() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("LongHeapTest seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random r = new Random(seed);
        for (int round = 0; round < 200; round++) {
            LongHeap heap = new LongHeap();
            PriorityQueue<Pair> model = new PriorityQueue<>((x, y) -> Long.compare(x.key(), y.key()));
            for (int op = 0; op < 500; op++) {
                int kind = r.nextInt(10);
                if (kind < 6) {
                    long k = r.nextInt(100);
                    heap.add(k, k * 1000 + op);
                    model.add(new Pair(k, k * 1000 + op));
                } else if (kind < 9 && !model.isEmpty()) {
                    assertThat(heap.minKey()).isEqualTo(model.peek().key());
                    long v = heap.poll();
                    assertThat(v / 1000)
                            .as("value of the smallest key")
                            .isEqualTo(model.poll().key());
                } else {
                    long cut = -r.nextInt(100_000);
                    heap.retainValues(v -> v > cut);
                    List<Pair> kept = new ArrayList<>(model);
                    model.clear();
                    for (Pair p : kept) if (p.value() > cut) model.add(p);
                }
                assertThat(heap.size()).isEqualTo(model.size());
                assertThat(heap.isEmpty()).isEqualTo(model.isEmpty());
            }
        }
    }
}
