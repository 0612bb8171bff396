package dev.tether.internal.engine;

import dev.tether.spi.StoredMessage;

/**
 * Bounds one outbound stream's in-memory page (its messages from {@code settledSeq+1} on, docs/PROTOCOL.md sender
 * step 8) by messages and by bytes, and counts what it holds. Everything the receiver has not acknowledged must stay
 * in the page or the store, and the sender transmits only from the page, so the page bounds what may be in flight.
 * The receiver's credit runs a window ahead of what it <em>processed</em>, its acknowledgment follows its
 * <em>commit</em>: at a high rate the credit reaches beyond a page of {@link EngineConfig#pageMessages}, and the stream
 * waits for acknowledgments although the receiver would take more. So the page grows while the credit reaches beyond
 * it, to cover the credit and one window more, up to {@link EngineConfig#maxPageMessages}, and goes back to {@link
 * EngineConfig#pageMessages} once the stream holds nothing unsettled.
 *
 * <p>Bytes (a message's encoded size, {@link FrameCodec#messageSize}): a page's first {@link #FLOOR_BYTES} are its
 * own; beyond them they are drawn from the engine's {@link Budget}, and one page draws at most a quarter of it. A page
 * that holds nothing always takes its next message, whatever its size, so that every message can be sent. So one
 * stream's page holds at most {@code maxPageMessages} messages and {@code FLOOR_BYTES + budget / 4} bytes (or its one
 * message, if larger), and all pages together at most {@code streams x FLOOR_BYTES + budget} bytes plus one message
 * per stream. Volatile streams are bounded
 * by {@link VolatileBudget} instead ({@link #unbounded}). The engine's thread only.
 */
final class PageBounds {
    /** The bytes a page holds without drawing on the engine's budget: about 500 messages of 100 bytes. */
    static final int FLOOR_BYTES = 64 << 10;

    /** The bytes the pages of one engine hold beyond their floors, shared; and the page sizes in messages. */
    static final class Budget {
        final long limit;
        private final long maxPageBytes;
        private final int pageMessages;
        private final int maxPageMessages;
        private final int window;
        private long used;

        Budget(EngineConfig cfg) {
            this.limit = cfg.pageBudgetBytes();
            this.maxPageBytes = FLOOR_BYTES + limit / 4;
            this.pageMessages = cfg.pageMessages();
            this.maxPageMessages = cfg.maxPageMessages();
            this.window = cfg.window();
        }

        /** The bounds of a new stream's page. */
        PageBounds page() {
            return new PageBounds(this, pageMessages);
        }

        /** Bytes drawn by all pages. */
        long used() {
            return used;
        }
    }

    /** Null for a page without bounds. */
    private final Budget budget;

    private int limit;
    private int count;
    private long bytes;
    /** The part of {@link #bytes} drawn from the budget. */
    private long drawn;
    /**
     * The size of the last message taken: what a page read from the store is sized by. Before the first, a guess of
     * 1 KiB: a first read brings at most 64 messages, whatever their size.
     */
    private int lastSize = 1024;
    /**
     * The levels of the messages taken since the page last held nothing (bit {@code l} for level {@code l}): while only
     * one bit is set, every message in the page is of that level and {@link Transmitter#level} need not look at them.
     */
    private int levels;

    private PageBounds(Budget budget, int limit) {
        this.budget = budget;
        this.limit = limit;
    }

    /** A page that takes every message (a volatile stream's, bounded by {@link VolatileBudget}). */
    static PageBounds unbounded() {
        return new PageBounds(null, Integer.MAX_VALUE);
    }

    /**
     * Caches {@code m} in {@code cache} if it continues it and fits; returns whether it did. One read from the store
     * ({@code read}) is verified ({@link OutRing#addRead}).
     */
    boolean cache(OutRing cache, StoredMessage m, boolean read) {
        if (m.seq() != cache.nextSeq()) return false;
        int size = FrameCodec.messageSize(m.headers(), m.payload().length);
        if (!admits(size)) return false;
        if (read) cache.addRead(m, size);
        else cache.add(m, size, StreamLevels.of(m.headers()));
        counted(cache.level(m.seq()), size);
        return true;
    }

    /**
     * Caches {@code m}, numbered by this process, of encoded size {@code size} and priority {@code level}, both known
     * from its send (so its headers are not walked again), if it continues {@code cache} and fits; whether it did.
     */
    boolean cacheSent(OutRing cache, StoredMessage m, int size, int level) {
        if (m.seq() != cache.nextSeq() || !admits(size)) return false;
        cache.add(m, size, level);
        counted(level, size);
        return true;
    }

    private void counted(int level, int size) {
        levels |= 1 << level;
        count++;
        bytes += size;
        lastSize = size;
        redraw();
    }

    private boolean admits(int size) {
        if (count == 0 || budget == null) return true;
        if (count >= limit || bytes + size > budget.maxPageBytes) return false;
        // Within its floor a page draws nothing, even if other pages' first messages took the budget past its limit.
        long more = drawnFor(bytes + size) - drawn;
        return more == 0 || budget.used + more <= budget.limit;
    }

    /** Removes the messages up to {@code seq} from {@code cache}, and counts them out. */
    void removeUpTo(OutRing cache, long seq) {
        long first = cache.nextSeq() - cache.size();
        for (long s = first; s <= seq && s < cache.nextSeq(); s++) {
            count--;
            bytes -= cache.bytes(s);
        }
        cache.removeUpTo(seq);
        if (count == 0) levels = 0;
        redraw();
    }

    /** The one level of every message in the page, or -1 if they are of several levels (or there are none). */
    int onlyLevel() {
        return Integer.bitCount(levels) == 1 ? Integer.numberOfTrailingZeros(levels) : -1;
    }

    private static long drawnFor(long bytes) {
        return Math.max(0, bytes - FLOOR_BYTES);
    }

    private void redraw() {
        if (budget == null) return;
        long d = drawnFor(bytes);
        budget.used += d - drawn;
        drawn = d;
    }

    /**
     * How many messages a read from the store should bring (by count, and by bytes at the size of the last message
     * taken); 0 if the page is full. At least 1 when the page holds nothing.
     */
    int room() {
        if (budget == null) return Integer.MAX_VALUE;
        long byBudget = Math.max(0, FLOOR_BYTES - bytes) + Math.max(0, budget.limit - budget.used);
        long freeBytes = Math.min(budget.maxPageBytes - bytes, byBudget);
        long n = Math.min(limit - count, Math.max(0, freeBytes) / lastSize);
        return (int) Math.max(n, count == 0 ? 1 : 0);
    }

    /**
     * The receiver's credit reaches {@code span} messages beyond the settled ones: the page grows to cover it and one
     * window more (doubling at least), up to {@link EngineConfig#maxPageMessages}.
     */
    void creditReaches(long span) {
        if (budget == null) return;
        long want = span + budget.window;
        if (want > limit) limit = (int) Math.min(budget.maxPageMessages, Math.max(2L * limit, want));
    }

    /** The stream holds nothing unsettled: the page goes back to its first size, and its ring lets go of its arrays. */
    void idle(OutRing cache) {
        if (budget == null) return;
        limit = budget.pageMessages;
        cache.compact();
    }

    /** Messages in the page. */
    int count() {
        return count;
    }

    /** Bytes in the page. */
    long bytes() {
        return bytes;
    }

    /** Messages the page may hold now. */
    int limit() {
        return limit;
    }
}
