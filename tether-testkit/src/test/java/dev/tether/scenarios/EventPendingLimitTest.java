package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.EventHandle;
import dev.tether.QueueFullException;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bound on pending events ({@code TetherConfig.Builder.events(history, maxPending)}) counts events, not creations:
 * re-creating a pending id supersedes it and takes no place, also at the bound, and concurrent creations are refused
 * only when the bound is really reached. (A creation once counted itself before the superseded one was subtracted on
 * the node thread: a re-creation at the bound was refused, and concurrent ones near it too.)
 */
class EventPendingLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int THREADS = 8;

    @Test
    void reCreatingAPendingEventAtTheBoundSupersedesIt() throws Exception {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start("a", x -> x.events(10, 1));
            a.createEvent("job");
            EventHandle latest = a.createEvent("job"); // still one pending
            assertThatThrownBy(() -> a.createEvent("other")).isInstanceOf(QueueFullException.class);
            assertThat(a.eventStats().pending()).isEqualTo(1);
            a.trigger(latest, new byte[0]).get(10, TimeUnit.SECONDS);
            Await.until(WAIT, () -> a.eventStats().pending() == 0, () -> "pending " + a.eventStats());
            a.createEvent("other"); // room again
        }
    }

    @Test
    void concurrentReCreationsOfOnePendingEventAreNeverRefused() throws Exception {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start("a", x -> x.events(10, 1));
            a.createEvent("job");
            AtomicInteger refused = new AtomicInteger();
            inParallel(t -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        a.createEvent("job");
                    } catch (QueueFullException e) {
                        refused.incrementAndGet();
                    }
                }
            });
            assertThat(refused).as("re-creations refused").hasValue(0);
            Await.until(WAIT, () -> a.eventStats().pending() == 1, () -> "pending " + a.eventStats());
        }
    }

    @Test
    void concurrentCreationsOfNewIdsTakeExactlyTheFreePlaces() throws Exception {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start("a", x -> x.events(10, 5));
            AtomicInteger created = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            inParallel(t -> {
                for (int i = 0; i < 3; i++) {
                    try {
                        a.createEvent("e" + t + "-" + i);
                        created.incrementAndGet();
                    } catch (QueueFullException e) {
                        refused.incrementAndGet();
                    }
                }
            });
            assertThat(created).hasValue(5);
            assertThat(refused).hasValue(THREADS * 3 - 5);
            Await.until(WAIT, () -> a.eventStats().pending() == 5, () -> "pending " + a.eventStats());
        }
    }

    /** Runs {@code body} on {@value #THREADS} threads released together; rethrows the first failure. */
    private static void inParallel(ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    body.run(thread);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    private interface ThreadBody {
        void run(int thread) throws Exception;
    }
}
