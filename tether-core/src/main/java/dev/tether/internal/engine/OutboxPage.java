package dev.tether.internal.engine;

import dev.tether.spi.StoredMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A page of an outbound stream read from the store ({@link EngineOutput#load}), verified and cached where it continues
 * the stream's cache (a reader's continues its log's window when it can). The engine's thread only.
 */
final class OutboxPage {
    private OutboxPage() {}

    /**
     * Caches the messages of {@code page} that continue {@code cache} (up to {@code committedSeq}, as far as {@code
     * bounds} let it), or {@code log}'s window for a reader; returns the sequence numbers of those that no longer match
     * their checksum.
     */
    static List<Long> cache(
            Iterable<StoredMessage> page, OutRing cache, SharedLog log, long committedSeq, PageBounds bounds) {
        List<Long> corrupt = List.of();
        for (StoredMessage m : page) {
            // A page that continues the window is shared.
            OutRing in = log != null && log.offer(m) ? log.window() : null;
            boolean own = in == null && (log == null || !log.holds(m.seq()));
            if (own && m.seq() <= committedSeq && bounds.cache(cache, m, true)) in = cache;
            if (in != null && in.corrupt(m.seq())) {
                if (corrupt.isEmpty()) corrupt = new ArrayList<>();
                corrupt.add(m.seq());
            }
        }
        return corrupt;
    }
}
