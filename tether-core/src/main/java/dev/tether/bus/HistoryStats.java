package dev.tether.bus;

/**
 * What a node's history holds ({@code Store.historySummary}, {@code NodeManagement.historyStats}).
 *
 * @param entries the number of entries
 * @param oldestAtMillis the time of the oldest entry, epoch milliseconds; 0 when there is none
 * @param payloadBytes the payload bytes kept (0 for a history of metadata only)
 */
public record HistoryStats(long entries, long oldestAtMillis, long payloadBytes) {
    /** An empty history. */
    public static final HistoryStats EMPTY = new HistoryStats(0, 0, 0);

    /** Rejects negative values. */
    public HistoryStats {
        if (entries < 0 || oldestAtMillis < 0 || payloadBytes < 0) {
            throw new IllegalArgumentException("negative history stats");
        }
    }
}
