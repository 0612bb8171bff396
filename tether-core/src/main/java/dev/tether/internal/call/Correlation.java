package dev.tether.internal.call;

import dev.tether.Lanes;
import dev.tether.NodeId;

/**
 * What a reply's {@code :c} header names: the request's lane and sequence number in the caller's stream, and the
 * caller's store epoch when it made the request.
 */
record Correlation(String lane, long seq, long epoch) {
    /** The request {@code value} names ({@code lane#seq#epoch}), or null if it is malformed. */
    static Correlation parse(String value) {
        if (value == null) return null;
        int second = value.lastIndexOf('#');
        int first = second <= 0 ? -1 : value.lastIndexOf('#', second - 1);
        if (first <= 0) return null;
        long seq = decimal(value, first + 1, second);
        long epoch = hex(value, second + 1);
        String lane = value.substring(0, first);
        if (seq < 1 || epoch == 0 || !Lanes.isValid(lane)) return null;
        return new Correlation(lane, seq, epoch);
    }

    /** The decimal number in {@code s[from, to)}, or -1. */
    private static long decimal(String s, int from, int to) {
        if (to - from < 1 || to - from > 19) return -1;
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9' || n > (Long.MAX_VALUE - (c - '0')) / 10) return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** The unsigned hexadecimal number from {@code from} to the end, or 0. */
    private static long hex(String s, int from) {
        if (s.length() - from < 1 || s.length() - from > 16) return 0;
        long n = 0;
        for (int i = from; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return 0;
            n = (n << 4) | d;
        }
        return n;
    }

    /** The key of the pending call this answers, when it comes from {@code callee}. */
    CallKey key(NodeId callee) {
        return new CallKey(callee, lane, seq);
    }

    @Override
    public String toString() {
        return CallHeaders.correlation(lane, seq, epoch);
    }
}
