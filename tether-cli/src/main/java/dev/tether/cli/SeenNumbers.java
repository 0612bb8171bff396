package dev.tether.cli;

import java.util.Map;
import java.util.TreeMap;

/**
 * The sequence numbers seen from one publisher on one channel, as disjoint ranges: a publisher's messages arrive in
 * order, so the ranges are few (one, plus one per gap a later start position left) however many messages were seen,
 * and a redelivery or a repeat after a re-join is recognised without remembering each number. Not thread-safe.
 */
final class SeenNumbers {
    /** First number of each range to its last, ranges disjoint and not adjacent. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    /** Records {@code n}; returns false if it was seen before. */
    boolean add(long n) {
        Map.Entry<Long, Long> below = ranges.floorEntry(n);
        if (below != null && below.getValue() >= n) return false;
        long first = n;
        long last = n;
        if (below != null && below.getValue() == n - 1) {
            first = below.getKey();
        }
        Long nextFirst = n == Long.MAX_VALUE ? null : ranges.ceilingKey(n + 1);
        if (nextFirst != null && nextFirst == n + 1) {
            last = ranges.remove(nextFirst);
        }
        ranges.put(first, last);
        return true;
    }

    boolean contains(long n) {
        Map.Entry<Long, Long> below = ranges.floorEntry(n);
        return below != null && below.getValue() >= n;
    }

    /** How many ranges are held (what this costs in memory). */
    int ranges() {
        return ranges.size();
    }
}
