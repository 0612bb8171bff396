package dev.tether.bus;

import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.Outcome;
import java.util.Locale;

/**
 * A query of a node's history ({@code NodeManagement.history}, {@code Store.readHistory}): the entries matching every
 * filter given (null: any), ids ascending after {@link #afterId()}, at most {@link #max()}. Immutable; built with
 * {@link #builder()}, whose setters throw {@link IllegalArgumentException} for a bad value and {@link Builder#build}
 * for a time range whose start lies after its end.
 *
 * @param peer the entry's peer
 * @param agent an endpoint that sent or received the message
 * @param channel the channel
 * @param lane the lane as on the wire
 * @param kind the message kind
 * @param direction sent or received
 * @param outcome the outcome of a received message
 * @param fromMillis entries at or after this time (epoch milliseconds; 0: from the first)
 * @param toMillis entries before this time ({@link Long#MAX_VALUE}: to the last)
 * @param afterId entries with a greater id (0: from the first): the last id of the previous page
 * @param max entries at most, 1 to {@value #MAX_PAGE}
 * @param payloads whether entries carry the payloads kept (else null)
 */
public record HistoryQuery(
        NodeId peer,
        String agent,
        String channel,
        String lane,
        MessageKind kind,
        HistoryDirection direction,
        Outcome outcome,
        long fromMillis,
        long toMillis,
        long afterId,
        int max,
        boolean payloads) {
    /** The most entries a query returns. */
    public static final int MAX_PAGE = 10_000;

    /** Checks what the builder checks. */
    public HistoryQuery {
        if (max < 1 || max > MAX_PAGE) {
            throw new IllegalArgumentException("max must be between 1 and " + MAX_PAGE + ", was " + max);
        }
        if (fromMillis < 0) throw new IllegalArgumentException("from must not be negative, was " + fromMillis);
        if (fromMillis > toMillis) {
            throw new IllegalArgumentException("from (" + fromMillis + ") is after to (" + toMillis + ")");
        }
        if (afterId < 0) throw new IllegalArgumentException("after must not be negative, was " + afterId);
        if (lane != null && !Lanes.isValid(lane)) {
            throw new IllegalArgumentException(
                    "invalid lane '" + lane + "': expected 1-64 characters from" + " [A-Za-z0-9._-]");
        }
        if (agent != null && agent.isEmpty()) throw new IllegalArgumentException("agent must not be empty");
        if (channel != null && channel.isEmpty()) throw new IllegalArgumentException("channel must not be empty");
    }

    /** Every entry, 100 at most, without payloads, until built otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code e} matches every filter of this query (not {@code afterId} nor {@code max}). */
    public boolean matches(HistoryEntry e) {
        return (peer == null || peer.equals(e.peer()))
                && (agent == null || agent.equals(e.fromAgent()) || agent.equals(e.toAgent()))
                && (channel == null || channel.equals(e.channel()))
                && (lane == null || lane.equals(e.lane()))
                && (kind == null || kind == e.kind())
                && (direction == null || direction == e.direction())
                && (outcome == null || outcome == e.outcome())
                && e.atMillis() >= fromMillis
                && e.atMillis() < toMillis;
    }

    /**
     * The kind named {@code name} (any case: {@code request}, {@code REQUEST}).
     *
     * @throws IllegalArgumentException naming the known kinds if there is none
     */
    public static MessageKind kindNamed(String name) {
        try {
            return MessageKind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown kind '" + name + "': expected one of direct, request," + " response, publish, broadcast");
        }
    }

    /** Builds a {@link HistoryQuery}; not thread-safe. */
    public static final class Builder {
        private NodeId peer;
        private String agent;
        private String channel;
        private String lane;
        private MessageKind kind;
        private HistoryDirection direction;
        private Outcome outcome;
        private long fromMillis;
        private long toMillis = Long.MAX_VALUE;
        private long afterId;
        private int max = 100;
        private boolean payloads;

        private Builder() {}

        /** Entries whose peer is {@code p}. */
        public Builder peer(NodeId p) {
            this.peer = p;
            return this;
        }

        /** Entries sent or received by endpoint {@code a}. */
        public Builder agent(String a) {
            this.agent = a;
            return this;
        }

        /** Entries of channel {@code c}. */
        public Builder channel(String c) {
            this.channel = c;
            return this;
        }

        /** Entries on lane {@code l} (as on the wire). */
        public Builder lane(String l) {
            this.lane = l;
            return this;
        }

        /** Entries of kind {@code k}. */
        public Builder kind(MessageKind k) {
            this.kind = k;
            return this;
        }

        /** Entries of direction {@code d}. */
        public Builder direction(HistoryDirection d) {
            this.direction = d;
            return this;
        }

        /** Received entries settled with {@code o}. */
        public Builder outcome(Outcome o) {
            this.outcome = o;
            return this;
        }

        /** Entries at or after {@code millis} (epoch milliseconds). */
        public Builder from(long millis) {
            this.fromMillis = millis;
            return this;
        }

        /** Entries before {@code millis} (epoch milliseconds). */
        public Builder to(long millis) {
            this.toMillis = millis;
            return this;
        }

        /** Entries after id {@code id}: the last id of the previous page. */
        public Builder afterId(long id) {
            this.afterId = id;
            return this;
        }

        /** At most {@code n} entries, 1 to {@value HistoryQuery#MAX_PAGE}. */
        public Builder max(int n) {
            this.max = n;
            return this;
        }

        /** Whether entries carry their kept payloads. */
        public Builder payloads(boolean with) {
            this.payloads = with;
            return this;
        }

        /** @throws IllegalArgumentException for a value out of range or a time range that starts after it ends */
        public HistoryQuery build() {
            return new HistoryQuery(
                    peer, agent, channel, lane, kind, direction, outcome, fromMillis, toMillis, afterId, max, payloads);
        }
    }
}
