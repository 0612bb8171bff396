package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.ShutdownResult;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code shutdown} leaves behind when a thread does not return (README, "Shutdown"): the WARNING that says so
 * carries the stuck thread's stack (it named no place before), and a store commit that is still running when the
 * shutdown gives up on it is not closed under, but the store closes, its lock released, once that commit returns.
 */
class StuckAtShutdownTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");
    /** Three times the documented bound of {@code shutdown(1 s)}, 1 s + 10 s: the machine may be loaded. */
    private static final long BOUND_MILLIS = 3 * (1 + 10) * 1000L;

    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void captureWarnings() {
        Logger.getLogger("dev.tether").addHandler(capture);
    }

    @AfterEach
    void releaseAndStopCapturing() {
        release.countDown();
        Logger.getLogger("dev.tether").removeHandler(capture);
    }

    @Test
    void theWarningAboutAStuckNodeThreadCarriesItsStack() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            CountDownLatch entered = new CountDownLatch(1);
            TetherNode b = c.start(
                    "b",
                    cfg -> cfg.handlerOnNodeThread(true).handler(d -> {
                        entered.countDown();
                        stuckInTheHandler(release);
                    }));
            c.start("a").send(B, utf8("m"));
            assertThat(entered.await(30, TimeUnit.SECONDS))
                    .as("b's handler entered")
                    .isTrue();

            shutdownWithinBound(b);
            assertThat(warnings)
                    .as("the node thread's warning, with the handler's frame")
                    .anySatisfy(r -> assertThat(r.getMessage()).contains("the node thread did not stop"))
                    .anySatisfy(r -> assertThat(framesOf(r)).contains("stuckInTheHandler"))
                    .as("for one-line logs, the top frames in its message too")
                    .anySatisfy(r -> assertThat(stackMessageOf(r)).contains(".stuckInTheHandler("));
        }
    }

    @Test
    void aCommitStuckPastTheShutdownClosesTheStoreWhenItReturns() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            c.start("b");
            BlockingStore store = new BlockingStore(c.store("a"), release);
            TetherNode a = c.start("a", cfg -> cfg.store(store));
            a.send(B, utf8("m"));
            assertThat(store.entered.await(30, TimeUnit.SECONDS))
                    .as("a's commit entered")
                    .isTrue();

            ShutdownResult r = shutdownWithinBound(a);
            assertThat(r.drained()).isFalse();
            assertThat(store.closed).as("not closed under the running commit").isFalse();
            assertThat(warnings)
                    .as("the store's warning, with the commit's frame")
                    .anySatisfy(w -> assertThat(w.getMessage()).contains("store commit still running"))
                    .anySatisfy(w -> assertThat(framesOf(w)).contains("blockedCommit"))
                    .anySatisfy(w -> assertThat(stackMessageOf(w)).contains(".blockedCommit("));

            release.countDown();
            Await.until(DEADLINE, store.closed::get, () -> "a's store closed once its commit returned");
            assertThat(store.closedUnderCommit).as("closed while a commit ran").isFalse();
        }
    }

    private static ShutdownResult shutdownWithinBound(TetherNode node) {
        long start = System.nanoTime();
        ShutdownResult r = node.shutdown(Duration.ofSeconds(1));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("StuckAtShutdownTest: shutdown(1 s) took " + tookMillis + " ms, " + r);
        assertThat(tookMillis).as("shutdown(1 s), ms").isLessThan(BOUND_MILLIS);
        return r;
    }

    /** The method names of the stack logged with {@code r}, if any. */
    private static List<String> framesOf(LogRecord r) {
        if (r.getThrown() == null) return List.of();
        return Arrays.stream(r.getThrown().getStackTrace())
                .map(StackTraceElement::getMethodName)
                .toList();
    }

    /** The message of the stack logged with {@code r} (its top frames), or "". */
    private static String stackMessageOf(LogRecord r) {
        return r.getThrown() == null ? "" : String.valueOf(r.getThrown().getMessage());
    }

    /** A callback that does not return until released, whatever happens (interrupts ignored: the worst case). */
    private static void stuckInTheHandler(CountDownLatch release) {
        awaitIgnoringInterrupts(release);
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * Commits on the node's store thread; the first commit that appends a message blocks until released, ignoring
     * interrupts (a store stuck in its own I/O). Records its close, and whether a commit was running then.
     */
    private static final class BlockingStore extends ForwardingStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean closedUnderCommit;
        private final CountDownLatch release;
        private final AtomicBoolean blocked = new AtomicBoolean();
        private volatile boolean inCommit;

        BlockingStore(Store delegate, CountDownLatch release) {
            super(delegate);
            this.release = release;
        }

        @Override
        public boolean isNonBlocking() {
            return false;
        }

        @Override
        public void commit(WriteBatch batch) {
            inCommit = true;
            try {
                if (!batch.appends().isEmpty() && blocked.compareAndSet(false, true)) blockedCommit();
                super.commit(batch);
            } finally {
                inCommit = false;
            }
        }

        private void blockedCommit() {
            entered.countDown();
            awaitIgnoringInterrupts(release);
        }

        @Override
        public void close() {
            closedUnderCommit |= inCommit;
            closed.set(true);
            super.close();
        }
    }
}
