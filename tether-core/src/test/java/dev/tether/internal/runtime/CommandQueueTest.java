package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The node loop's input queue ({@link CommandQueue}): FIFO, nothing lost or duplicated, each producer's commands in
 * its order under contention, the stub added again each time the queue runs dry, commands that are their own nodes
 * and wrapped ones mixed, and drains after the consumer stopped.
 */
class CommandQueueTest {
    /** A command wrapped by the queue: a producer's k-th. */
    private record Boxed(int producer, int k) implements NodeLoop.Command {
        @Override
        public void run(long now) {}
    }

    /** A command that is its own queue node, as a send's is. */
    private static final class Own extends CommandQueue.Link implements NodeLoop.Command {
        final int producer;
        final int k;

        Own(int producer, int k) {
            this.producer = producer;
            this.k = k;
        }

        @Override
        NodeLoop.Command command() {
            return this;
        }

        @Override
        public void run(long now) {}
    }

    private static NodeLoop.Command make(int producer, int k) {
        return k % 3 == 0 ? new Boxed(producer, k) : new Own(producer, k);
    }

    private static int producerOf(NodeLoop.Command c) {
        return c instanceof Own o ? o.producer : ((Boxed) c).producer();
    }

    private static int kOf(NodeLoop.Command c) {
        return c instanceof Own o ? o.k : ((Boxed) c).k();
    }

    @Test
    void oneThreadGetsItsCommandsBackInOrderAcrossRunningDry() {
        CommandQueue q = new CommandQueue();
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        int k = 0;
        // Batches of 0 to 4 commands, each drained to empty: the stub goes behind the last command every time.
        for (int batch = 0; batch < 50; batch++) {
            List<NodeLoop.Command> added = new ArrayList<>();
            for (int i = 0; i < batch % 5; i++) {
                NodeLoop.Command c = make(0, k++);
                added.add(c);
                q.add(c);
                assertThat(q.isEmpty()).isFalse();
            }
            List<NodeLoop.Command> taken = new ArrayList<>();
            for (NodeLoop.Command c = q.poll(); c != null; c = q.poll()) taken.add(c);
            assertThat(taken).containsExactlyElementsOf(added);
            assertThat(q.isEmpty()).isTrue();
        }
        // Adds between polls: one left behind each time, taken in order.
        q.add(make(0, k++));
        for (int i = 0; i < 20; i++) {
            q.add(make(0, k++));
            assertThat(kOf(q.poll())).isEqualTo(k - 2);
        }
        assertThat(kOf(q.poll())).isEqualTo(k - 1);
        assertThat(q.poll()).isNull();
    }

    @Test
    void underContentionNothingIsLostOrDuplicatedAndEachProducersOrderHolds() throws Exception {
        long seed = System.nanoTime();
        System.out.println("CommandQueueTest seed " + seed);
        Random r = new Random(seed);
        int producers = 2 + r.nextInt(3);
        int perProducer = 100_000 + r.nextInt(50_000);
        CommandQueue q = new CommandQueue();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int k = 0; k < perProducer; k++) {
                        q.add(make(producer, k));
                        if (k % 1024 == producer) Thread.yield(); // vary the interleaving
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            threads.add(t);
        }
        int[] next = new int[producers];
        long total = (long) producers * perProducer;
        long taken = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        start.countDown();
        while (taken < total) {
            NodeLoop.Command c = q.poll();
            if (c == null) {
                assertThat(System.nanoTime()).as("all taken by the deadline").isLessThan(deadline);
                Thread.onSpinWait();
                continue;
            }
            int p = producerOf(c);
            assertThat(kOf(c)).as("producer %d's next command", p).isEqualTo(next[p]);
            next[p]++;
            taken++;
        }
        for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(failure.get()).isNull();
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        for (int p = 0; p < producers; p++) assertThat(next[p]).isEqualTo(perProducer);
    }

    @Test
    void drainsFromSeveralThreadsTakeEachCommandOnce() throws Exception {
        CommandQueue q = new CommandQueue();
        int n = 50_000;
        for (int k = 0; k < n; k++) q.add(make(0, k));
        assertThat(kOf(q.poll())).isZero(); // a consumer took one, then stopped
        ConcurrentHashMap<Integer, Boolean> seen = new ConcurrentHashMap<>();
        AtomicReference<Integer> duplicate = new AtomicReference<>();
        List<Thread> drainers = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            Thread t = new Thread(() -> {
                for (NodeLoop.Command c = q.drain(); c != null; c = q.drain()) {
                    if (seen.put(kOf(c), true) != null) duplicate.set(kOf(c));
                }
            });
            t.start();
            drainers.add(t);
        }
        for (Thread t : drainers) t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(duplicate.get()).isNull();
        assertThat(seen).hasSize(n - 1);
        assertThat(q.drain()).isNull();
    }
}
