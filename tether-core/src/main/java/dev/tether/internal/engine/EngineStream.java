package dev.tether.internal.engine;

/**
 * What the engine keeps in every stream for its own bookkeeping: which {@link StreamSet}s the stream belongs to and
 * where it is in a {@link TimerQueue}. Only those two classes touch these fields. Not thread-safe: the engine's
 * thread only.
 */
abstract class EngineStream implements StreamSet.Member, TimerQueue.Timed {
    private int marks;
    private long queuedAt = Long.MAX_VALUE;

    @Override
    public final int marks() {
        return marks;
    }

    @Override
    public final void marks(int marks) {
        this.marks = marks;
    }

    @Override
    public final long queuedAt() {
        return queuedAt;
    }

    @Override
    public final void queuedAt(long at) {
        queuedAt = at;
    }
}
