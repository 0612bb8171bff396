package dev.tether.store.memory;

import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.spi.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The history of an {@link InMemoryStore} (Store rules 26-28): entries in id order in a deque, bounded by the trims
 * the node writes. Not thread-safe: the store's lock.
 */
final class InMemoryHistory {
    private final ArrayDeque<HistoryEntry> entries;
    private long lastId;
    private long payloadBytes;

    InMemoryHistory() {
        this.entries = new ArrayDeque<>();
    }

    private InMemoryHistory(InMemoryHistory from) {
        this.entries = new ArrayDeque<>(from.entries);
        this.lastId = from.lastId;
        this.payloadBytes = from.payloadBytes;
    }

    /** A copy, for a store reopened after a crash (entries are immutable). */
    InMemoryHistory copy() {
        return new InMemoryHistory(this);
    }

    /** Stores the batch's entries, then applies its trim. */
    void apply(WriteBatch batch) {
        for (HistoryEntry e : batch.history()) {
            entries.addLast(e.withId(++lastId));
            payloadBytes += e.keptBytes();
        }
        WriteBatch.HistoryTrim t = batch.historyTrim();
        if (t == null) return;
        // Times are not strictly ordered by id (clocks step back): the age trim looks at every entry.
        if (entries.removeIf(e -> e.atMillis() < t.olderThanMillis())) {
            payloadBytes = entries.stream().mapToLong(HistoryEntry::keptBytes).sum();
        }
        while (entries.size() > t.keepNewest())
            payloadBytes -= entries.removeFirst().keptBytes();
    }

    List<HistoryEntry> read(HistoryQuery q) {
        List<HistoryEntry> out = new ArrayList<>();
        for (HistoryEntry e : entries) {
            if (e.id() <= q.afterId() || !q.matches(e)) continue;
            out.add(q.payloads() ? e : e.withoutPayload());
            if (out.size() == q.max()) break;
        }
        return out;
    }

    HistoryStats summary() {
        long oldest = entries.stream().mapToLong(HistoryEntry::atMillis).min().orElse(0);
        return new HistoryStats(entries.size(), oldest, payloadBytes);
    }
}
