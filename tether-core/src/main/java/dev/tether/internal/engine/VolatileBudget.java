package dev.tether.internal.engine;

import dev.tether.spi.StoredMessage;

/**
 * The bytes held by volatile outbound messages (encoded size of headers and payload), from the send until the
 * message is settled: volatile streams live in memory only, so this, not the store, bounds them. Shared by the
 * volatile {@link OutStream}s of one engine; not thread-safe.
 */
final class VolatileBudget {
    final long limit;
    private long used;

    VolatileBudget(long limit) {
        this.limit = limit;
    }

    /** Whether {@code bytes} more fit under the limit. */
    boolean fits(long bytes) {
        return used + bytes <= limit;
    }

    void add(long bytes) {
        used += bytes;
    }

    void release(long bytes) {
        used -= bytes;
    }

    /** Messages {@code from..to} of a volatile stream, held in {@code cache}, are settled: their bytes no longer count. */
    void releaseSettled(OutRing cache, long from, long to) {
        for (long seq = Math.max(from, cache.nextSeq() - cache.size()); seq <= to && seq < cache.nextSeq(); seq++) {
            StoredMessage m = cache.stored(seq);
            if (m != null) release(FrameCodec.messageSize(m.headers(), m.payload().length));
        }
    }

    long used() {
        return used;
    }
}
