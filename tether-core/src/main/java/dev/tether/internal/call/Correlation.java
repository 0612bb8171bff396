package dev.tether.internal.call;

import dev.tether.Lanes;
import dev.tether.NodeId;

/** What a reply's {@code :c} header names: the request's lane and sequence number in the caller's stream. */
record Correlation(String lane, long seq) {
    /** The request {@code value} names ({@code lane#seq}), or null if it is malformed. */
    static Correlation parse(String value) {
        if (value == null) return null;
        int hash = value.lastIndexOf('#');
        if (hash <= 0 || hash == value.length() - 1 || value.length() - hash > 20) return null;
        String lane = value.substring(0, hash);
        long seq = 0;
        for (int i = hash + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9' || seq > (Long.MAX_VALUE - (c - '0')) / 10) return null;
            seq = seq * 10 + (c - '0');
        }
        if (seq < 1 || !Lanes.isValid(lane)) return null;
        return new Correlation(lane, seq);
    }

    /** The key of the pending call this answers, when it comes from {@code callee}. */
    CallKey key(NodeId callee) {
        return new CallKey(callee, lane, seq);
    }

    @Override
    public String toString() {
        return CallHeaders.correlation(lane, seq);
    }
}
