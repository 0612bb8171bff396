package dev.tether.internal.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Callers waiting for room in one bounded queue (a stream's {@link SendRooms.Room}, a channel log's {@link
 * ChannelRooms.Room}), served in the order they started waiting: only the first in line may take room, so a caller
 * that arrives while others wait never overtakes them, and one who gives up (time, interrupt, stop) lets the next move
 * up. What "room" is belongs to the caller ({@code grab}, run under this line's lock, which also guards any state the
 * room keeps there). Thread-safe.
 */
final class ArrivalLine {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    /** Waiting callers in arrival order; under {@code lock}. */
    private final ArrayDeque<Thread> waiters = new ArrayDeque<>();
    /** {@code waiters.size()}, readable without the lock. */
    private volatile int waiting;
    /** Whether waiting callers give up (the node stops); checked whenever one wakes. */
    private final BooleanSupplier stopped;

    ArrivalLine(BooleanSupplier stopped) {
        this.stopped = stopped;
    }

    /**
     * Runs {@code grab} under the lock at once if nobody waits; else, or if it fails, waits in line up to {@code nanos}
     * (0: not at all) and runs it again each time this caller is first in line and woken ({@link #wake}), until it
     * succeeds. False, with nothing grabbed, if time ran out or the line {@linkplain #ArrivalLine stopped}.
     *
     * @throws InterruptedException if interrupted while waiting (nothing grabbed; the next in line moves up)
     */
    boolean take(long nanos, BooleanSupplier grab) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            if (waiters.isEmpty() && grab.getAsBoolean()) return true;
            if (nanos <= 0 || stopped.getAsBoolean()) return false;
            Thread me = Thread.currentThread();
            waiters.addLast(me);
            waiting = waiters.size();
            try {
                for (long left = nanos; ; ) {
                    if (stopped.getAsBoolean()) return false;
                    if (waiters.peekFirst() == me && grab.getAsBoolean()) return true;
                    if (left <= 0) return false;
                    left = freed.awaitNanos(left);
                }
            } finally {
                waiters.remove(me);
                waiting = waiters.size();
                freed.signalAll(); // the next in line may take what is there
            }
        } finally {
            lock.unlock();
        }
    }

    /** Callers waiting now; without the lock (a snapshot). */
    int waiting() {
        return waiting;
    }

    /** Wakes every waiting caller to try again (room may have come, or the line stopped). */
    void wake() {
        lock.lock();
        try {
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code read} under the lock: a consistent view of what the room guards with it. */
    <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code change} under the lock, then wakes the waiting callers if {@code released} (room came back). */
    void change(Runnable change, boolean released) {
        lock.lock();
        try {
            change.run();
            if (released && !waiters.isEmpty()) freed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
