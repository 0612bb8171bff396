package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tether.spi.CommitObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link CommitObserver}: tests for its numbered rules that hold for any implementation. Subclass
 * it in a test source set, implement {@link #newObserver()} and {@link #recordedCommits}, which reads back how many
 * commits the observer recorded (through the implementation's own read side, as a metrics scrape would).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class CommitObserverContract {
    /** For subclasses: one per implementation under test. */
    protected CommitObserverContract() {}

    /** A new observer with nothing recorded. */
    protected abstract CommitObserver newObserver();

    /** How many commit attempts {@code observer} recorded, read as its users would read them. */
    protected abstract long recordedCommits(CommitObserver observer);

    @Test
    void rule3And4_acceptsExtremeValuesWithoutThrowing() {
        CommitObserver o = newObserver();
        assertThatCode(() -> {
                    o.onCommit(0, 0, 0, true);
                    o.onCommit(Duration.ofHours(5).toNanos(), Integer.MAX_VALUE, Integer.MAX_VALUE, true);
                    o.onCommit(1, 1, 0, false);
                    o.onCommit(Long.MAX_VALUE, 1, 1, false);
                })
                .doesNotThrowAnyException();
        assertThat(recordedCommits(o)).isEqualTo(4);
    }

    @Test
    void rule1_recordsEachAttemptOnce() {
        CommitObserver o = newObserver();
        for (int i = 0; i < 1000; i++) o.onCommit(1_000 + i, 3, 2, i % 10 != 0);
        assertThat(recordedCommits(o)).isEqualTo(1000);
    }

    @Test
    void rule5_readsWhileCommitsAreRecordedOnAnotherThread() throws InterruptedException {
        CommitObserver o = newObserver();
        int commits = 200_000;
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread committer = new Thread(() -> {
            started.countDown();
            try {
                for (int i = 0; i < commits; i++) o.onCommit(i, 2, 1, true);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        committer.start();
        started.await();
        long last = 0;
        while (committer.isAlive()) {
            long now = recordedCommits(o);
            assertThat(now)
                    .as("a count read while commits are recorded never goes back")
                    .isGreaterThanOrEqualTo(last);
            last = now;
        }
        committer.join();
        assertThat(failure.get()).isNull();
        assertThat(recordedCommits(o)).isEqualTo(commits);
    }
}
