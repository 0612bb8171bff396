package dev.tether.bus;

import dev.tether.InvalidConfigException;
import java.time.Duration;

/**
 * A node's message history ({@code TetherConfig.Builder.history}; docs/OPERATIONS.md, "History"): off unless set. On,
 * the node records one {@link HistoryEntry} per message it stores for sending and per message it settles, in the same
 * store batch, keeps at most {@code maxEntries} entries none older than {@code maxAge} (trimmed at most once a second,
 * so the count may exceed the bound by about 1% between trims), and payloads up to {@code maxPayloadBytes} each (0:
 * metadata only). Immutable.
 *
 * @param maxEntries entries kept at most, 1 to {@value #MAX_ENTRIES}
 * @param maxAge how long an entry is kept at most, 1 second to 36,500 days
 * @param maxPayloadBytes payload bytes kept per entry, 0 (none) to {@value #MAX_PAYLOAD_BYTES}
 */
public record HistoryOptions(long maxEntries, Duration maxAge, int maxPayloadBytes) {
    /** The largest {@code maxEntries}. */
    public static final long MAX_ENTRIES = 1_000_000_000L;

    /** The largest {@code maxPayloadBytes}. */
    public static final int MAX_PAYLOAD_BYTES = 16 << 20;

    /** 1,000,000 entries, 7 days, metadata only. */
    public static final HistoryOptions DEFAULT = new HistoryOptions(1_000_000, Duration.ofDays(7), 0);

    /** @throws InvalidConfigException naming the first value out of range */
    public HistoryOptions {
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
            throw new InvalidConfigException(
                    "history maxEntries must be between 1 and " + MAX_ENTRIES + ", was " + maxEntries);
        }
        if (maxAge == null
                || maxAge.compareTo(Duration.ofSeconds(1)) < 0
                || maxAge.compareTo(Duration.ofDays(36_500)) > 0) {
            throw new InvalidConfigException("history maxAge must be between 1 s and 36500 days, was " + maxAge);
        }
        if (maxPayloadBytes < 0 || maxPayloadBytes > MAX_PAYLOAD_BYTES) {
            throw new InvalidConfigException(
                    "history maxPayloadBytes must be between 0 and " + MAX_PAYLOAD_BYTES + ", was " + maxPayloadBytes);
        }
    }

    /** At most {@code maxEntries} entries, none older than {@code maxAge}, metadata only. */
    public static HistoryOptions keep(long maxEntries, Duration maxAge) {
        return new HistoryOptions(maxEntries, maxAge, 0);
    }

    /** These bounds, keeping up to {@code maxBytes} of each message's payload. */
    public HistoryOptions payloads(int maxBytes) {
        return new HistoryOptions(maxEntries, maxAge, maxBytes);
    }
}
