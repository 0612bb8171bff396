package dev.tether.internal.runtime;

import dev.tether.Priority;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.util.WeightedLevels;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The handler threads' queue of delivery runs, by priority (docs/PROTOCOL.md, "Priority"): a {@link WeightedLevels}
 * over the runs waiting for a thread, each at its level ({@link Leveled}: the highest level among the run's messages
 * not yet consumed), FIFO within a level. A task that is not {@link Leveled} waits at the default level. A run keeps
 * its thread until it ends or moves to another consumer (no yielding after a number of messages). Thread-safe: one
 * lock.
 *
 * <p>Only what the pool needs of a queue is supported: adding, taking (also with a timeout), {@code remove}, {@code
 * drainTo} and the size; {@code peek} and iteration throw {@link UnsupportedOperationException}.
 */
final class RunQueue extends AbstractQueue<Runnable> implements BlockingQueue<Runnable> {
    /** A task with a priority level: its place in the queue is kept in it (it is its own slot: one object per run). */
    static final class Leveled extends WeightedLevels.Slot implements Runnable {
        private final Runnable task;
        final int level;

        Leveled(int level, Runnable task) {
            this.level = level;
            this.task = task;
        }

        @Override
        public void run() {
            task.run();
        }
    }

    /** The level of a run whose next message to consume is {@code messages.get(from)}: the highest from there on. */
    static int levelOf(List<InboundMessage> messages, int from) {
        int level = -1;
        for (int i = from; i < messages.size() && level < Priority.HIGHEST; i++) {
            String p = messages.get(i).headers().get(Priority.HEADER);
            int l = p == null ? Priority.DEFAULT : Priority.parse(p);
            level = Math.max(level, l < 0 ? Priority.DEFAULT : l);
        }
        return level < 0 ? Priority.DEFAULT : level;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final WeightedLevels<Leveled> runs = new WeightedLevels<>(r -> r);

    @Override
    public boolean offer(Runnable r) {
        Leveled l = r instanceof Leveled x ? x : new Leveled(Priority.DEFAULT, r);
        lock.lock();
        try {
            runs.add(l, l.level);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(Runnable r) {
        offer(r);
    }

    @Override
    public boolean offer(Runnable r, long timeout, TimeUnit unit) {
        return offer(r);
    }

    @Override
    public Runnable poll() {
        lock.lock();
        try {
            return runs.next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (runs.isEmpty()) notEmpty.await();
            return runs.next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (runs.isEmpty()) {
                if (nanos <= 0) return null;
                nanos = notEmpty.awaitNanos(nanos);
            }
            return runs.next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(Object o) {
        if (!(o instanceof Leveled l)) return false;
        lock.lock();
        try {
            return runs.remove(l);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int drainTo(Collection<? super Runnable> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super Runnable> c, int max) {
        lock.lock();
        try {
            int n = 0;
            for (; n < max && !runs.isEmpty(); n++) c.add(runs.next());
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int remainingCapacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return runs.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Runnable peek() {
        throw new UnsupportedOperationException("the run queue picks at take, by level; it has no fixed head");
    }

    @Override
    public Iterator<Runnable> iterator() {
        throw new UnsupportedOperationException("the run queue is not iterable");
    }
}
