package dev.tether.internal.engine;

/**
 * What the engine keeps in every stream for its own bookkeeping: which {@link StreamSet}s the stream belongs to and
 * where it is in a {@link TimerQueue} (only those two classes touch these fields), and what the runtime attached to it
 * ({@link OutboundRef#attach}). Not thread-safe: the engine's
 * thread only.
 */
abstract class EngineStream implements StreamSet.Member, TimerQueue.Timed {
    final StreamKey key;
    private int marks;
    private long queuedAt = Long.MAX_VALUE;
    /** The runtime's state of this stream ({@link OutboundRef#attach}); the engine never reads it. */
    private Object attachment;
    /**
     * The other half of a loopback stream ({@link LoopbackLinks}): its receiving half for the sending one and the other
     * way round; null for any other stream. Found from the stream at hand, not by a lookup of its key per batch.
     */
    EngineStream loopbackHalf;

    EngineStream(StreamKey key) {
        this.key = key;
    }

    /** The stream's key. */
    public final StreamKey key() {
        return key;
    }

    /** See {@link OutboundRef#attachment}. */
    public final Object attachment() {
        return attachment;
    }

    /** See {@link OutboundRef#attach}. */
    public final void attach(Object attachment) {
        this.attachment = attachment;
    }

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
