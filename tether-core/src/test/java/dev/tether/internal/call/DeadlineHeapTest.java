package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadlineHeapTest {
    private static final class Item extends Timed {
        Item(long deadline) {
            super(deadline);
        }
    }

    @Test
    void expiresDueItemsEarliestFirstAndKeepsTheRest() {
        DeadlineHeap<Item> heap = new DeadlineHeap<>();
        Item late = new Item(30);
        Item early = new Item(10);
        Item middle = new Item(20);
        heap.add(late);
        heap.add(early);
        heap.add(middle);
        List<Item> due = new ArrayList<>();
        heap.expire(20, due::add);
        assertThat(due).containsExactly(early, middle);
        assertThat(heap.size()).isEqualTo(1);
        assertThat(middle.heapIndex).isEqualTo(-1);
        heap.expire(29, due::add);
        assertThat(due).hasSize(2);
    }

    @Test
    void removalOfAnyItemKeepsTheOrderAndSaysWhetherItWasThere() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        DeadlineHeap<Item> heap = new DeadlineHeap<>();
        List<Item> kept = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Item it = new Item(rnd.nextInt(500));
            heap.add(it);
            if (rnd.nextInt(3) == 0) {
                assertThat(heap.remove(it)).as("seed %d", seed).isTrue();
                assertThat(heap.remove(it)).as("seed %d", seed).isFalse();
            } else {
                kept.add(it);
            }
        }
        for (int i = 0; i < kept.size() / 2; i++)
            assertThat(heap.remove(kept.remove(rnd.nextInt(kept.size())))).isTrue();
        List<Item> due = new ArrayList<>();
        heap.expire(Long.MAX_VALUE, due::add);
        assertThat(due).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(kept);
        for (int i = 1; i < due.size(); i++) {
            assertThat(due.get(i).deadline).as("seed %d", seed).isGreaterThanOrEqualTo(due.get(i - 1).deadline);
        }
        assertThat(heap.size()).isZero();
    }

    @Test
    void anItemFromAnotherHeapIsNotRemoved() {
        DeadlineHeap<Item> a = new DeadlineHeap<>();
        DeadlineHeap<Item> b = new DeadlineHeap<>();
        Item x = new Item(1);
        Item y = new Item(2);
        a.add(x);
        b.add(y);
        assertThat(a.remove(y)).isFalse();
        assertThat(a.size()).isEqualTo(1);
    }
}
