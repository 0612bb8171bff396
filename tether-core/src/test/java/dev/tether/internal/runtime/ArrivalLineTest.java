package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The arrival-order wait of {@link SendRooms} and {@link ChannelRooms}: room goes to the first in line, even when a
 * later caller's smaller need would fit. Real threads; every wait has a deadline.
 */
class ArrivalLineTest {
    private static final long LONG_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ArrivalLine line = new ArrivalLine(stopped::get);
    /** Free units of the room; guarded by the line's lock. */
    private int room;

    private final java.util.List<Thread> threads = new java.util.ArrayList<>();

    @AfterEach
    void stopLine() {
        stopped.set(true);
        line.wake();
        for (Thread t : threads) t.interrupt();
    }

    private BooleanSupplier needs(int units) {
        return () -> {
            if (room < units) return false;
            room -= units;
            return true;
        };
    }

    /** A caller taking {@code units} in its own thread, waiting up to a minute; completes with what take said. */
    private CompletableFuture<Boolean> waiter(int units) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(line.take(LONG_NANOS, needs(units)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        threads.add(t);
        t.start();
        return result;
    }

    private void awaitWaiting(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (line.waiting() != n) {
            if (System.nanoTime() > deadline) throw new AssertionError("never " + n + " in line: " + line.waiting());
            Thread.onSpinWait();
        }
    }

    private void addRoom(int units, boolean wake) {
        line.change(() -> room += units, wake);
    }

    @Test
    void aCallerWhoseNeedFitsDoesNotOvertakeOneAlreadyWaiting() throws Exception {
        CompletableFuture<Boolean> first = waiter(2);
        awaitWaiting(1);
        addRoom(1, false); // room for the newcomer's 1, not for the first's 2

        assertThat(line.take(0, needs(1)))
                .as("arriving while another waits, not waiting")
                .isFalse();
        assertThat(line.take(TimeUnit.MILLISECONDS.toNanos(20), needs(1)))
                .as("waiting behind the first")
                .isFalse();
        assertThat(line.<Integer>locked(() -> room)).isEqualTo(1);

        addRoom(1, true);
        assertThat(first.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(line.<Integer>locked(() -> room)).isZero();
    }

    @Test
    void whenTheFirstInLineGivesUpTheNextMovesUpAndTakesTheRoom() throws Exception {
        CompletableFuture<Boolean> first = waiter(2);
        awaitWaiting(1);
        CompletableFuture<Boolean> second = waiter(1);
        awaitWaiting(2);
        addRoom(1, true); // fits the second only: it must keep waiting behind the first
        assertThat(line.<Integer>locked(() -> room)).isEqualTo(1);

        threads.get(0).interrupt(); // the first gives up
        assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(line.<Integer>locked(() -> room)).isZero();
        assertThat(line.waiting()).isZero();
    }

    @Test
    void stoppingTheLineReleasesEveryWaiterWithNothingTaken() throws Exception {
        CompletableFuture<Boolean> first = waiter(2);
        CompletableFuture<Boolean> second = waiter(1);
        awaitWaiting(2);
        stopped.set(true);
        line.wake();
        assertThat(first.get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(second.get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(line.take(LONG_NANOS, needs(1))).isFalse();
        assertThat(line.waiting()).isZero();
    }
}
