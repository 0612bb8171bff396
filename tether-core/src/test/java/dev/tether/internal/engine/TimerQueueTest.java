package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The timing wheel of the streams' timers: never early, never lost, superseded entries dropped. */
class TimerQueueTest {
    private static final class T implements TimerQueue.Timed {
        final String name;
        long queuedAt = Long.MAX_VALUE;

        T(String name) {
            this.name = name;
        }

        @Override
        public long queuedAt() {
            return queuedAt;
        }

        @Override
        public void queuedAt(long at) {
            queuedAt = at;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void handsOutAStreamOnTheFirstTakeAtOrAfterItsTimeAndNotBefore() {
        TimerQueue<T> q = new TimerQueue<>();
        T a = new T("a");
        T b = new T("b");
        q.takeDue(1000);
        q.arm(a, 1005);
        q.arm(b, 1001);
        assertThat(q.takeDue(1000)).isEmpty();
        assertThat(q.takeDue(1001)).containsExactly(b);
        assertThat(q.takeDue(1004)).isEmpty();
        assertThat(q.takeDue(1005)).containsExactly(a);
        assertThat(q.takeDue(5000)).isEmpty();
        assertThat(q.size()).isZero();
        assertThat(a.queuedAt).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anEarlierArmSupersedesTheQueuedEntryAndALaterOneLeavesItInPlace() {
        TimerQueue<T> q = new TimerQueue<>();
        T a = new T("a");
        q.takeDue(0);
        q.arm(a, 500);
        q.arm(a, 800); // later: the entry at 500 stays, and is handed out then
        q.arm(a, 100); // earlier: queued at 100, the one at 500 is void
        assertThat(q.takeDue(99)).isEmpty();
        assertThat(q.takeDue(100)).containsExactly(a);
        assertThat(q.takeDue(10_000)).isEmpty(); // the entry at 500 was superseded: not handed out again
        assertThat(q.size()).isZero();
    }

    @Test
    void deadlinesBeyondATurnOfTheWheelAndJumpsOfTimeAreNeitherEarlyNorLost() {
        TimerQueue<T> q = new TimerQueue<>();
        long turn = TimerQueue.SLOTS * TimerQueue.SLOT_MILLIS;
        T far = new T("far");
        T past = new T("past");
        q.takeDue(0);
        q.arm(far, 3 * turn + 7);
        for (long now = 0; now < 3 * turn + 7; now += 10)
            assertThat(q.takeDue(now)).isEmpty();
        assertThat(q.takeDue(3 * turn + 7)).containsExactly(far);
        q.arm(past, 5); // already due: handed out on the next take
        assertThat(q.takeDue(3 * turn + 8)).containsExactly(past);
        q.arm(far, 10 * turn);
        assertThat(q.takeDue(100 * turn)).containsExactly(far); // time jumped many turns at once
    }

    /** Random arms and takes against a plain model: each stream handed out exactly when its earliest arm is due. */
    @Test
    void agreesWithAModelOnRandomSchedules() {
        long seed = new Random().nextLong();
        System.out.println("TimerQueueTest seed " + seed);
        Random r = new Random(seed);
        TimerQueue<T> q = new TimerQueue<>();
        List<T> streams = new ArrayList<>();
        long[] due = new long[50];
        for (int i = 0; i < due.length; i++) {
            streams.add(new T("s" + i));
            due[i] = Long.MAX_VALUE;
        }
        long now = r.nextInt(1000);
        q.takeDue(now);
        for (int step = 0; step < 20_000; step++) {
            int i = r.nextInt(due.length);
            long at = now + r.nextInt(r.nextBoolean() ? 50 : 10_000) - 5;
            q.arm(streams.get(i), at);
            due[i] = Math.min(due[i], at);
            now += r.nextInt(r.nextInt(100) == 0 ? 20_000 : 12);
            List<T> taken = q.takeDue(now);
            for (int j = 0; j < due.length; j++) {
                boolean expected = due[j] <= now;
                assertThat(taken.contains(streams.get(j)))
                        .as("seed %d, step %d, stream %d due %d at %d", seed, step, j, due[j], now)
                        .isEqualTo(expected);
                if (expected) due[j] = Long.MAX_VALUE;
            }
            assertThat(taken).doesNotHaveDuplicates();
        }
    }
}
