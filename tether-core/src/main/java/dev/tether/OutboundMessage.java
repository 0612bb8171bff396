package dev.tether;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A message to send: destination, lane, headers, payload, optional time to live, and whether it is volatile. Immutable;
 * build with {@link #to(NodeId)}. The payload array is copied.
 */
public final class OutboundMessage {
    private final NodeId to;
    private final String lane;
    private final Map<String, String> headers;
    private final byte[] payload;
    private final Duration ttl;
    private final boolean volatileDelivery;
    private final int priority;

    private OutboundMessage(Builder b) {
        this.to = b.to;
        this.lane = b.lane;
        this.headers = Map.copyOf(b.headers);
        this.payload = b.payload;
        this.ttl = b.ttl;
        this.volatileDelivery = b.volatileDelivery;
        this.priority = b.priority;
    }

    /** A builder of a message to {@code to}, on the default lane, with an empty payload and no time to live. */
    public static Builder to(NodeId to) {
        return new Builder(to);
    }

    /** The receiving node. */
    public NodeId to() {
        return to;
    }

    /** The lane: with the sender and the receiver, it names the stream the message is ordered in. */
    public String lane() {
        return lane;
    }

    /** The headers; unmodifiable, in no particular order (a header map is a set of names, not a sequence). */
    public Map<String, String> headers() {
        return headers;
    }

    /** A read-only view of the payload. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** The payload's length in bytes. */
    public int payloadSize() {
        return payload.length;
    }

    /** Time to live, or null for none. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Whether the message is volatile ({@link Builder#volatileDelivery()}): kept in memory only, on lane {@code
     * _v.<lane>}.
     */
    public boolean isVolatile() {
        return volatileDelivery;
    }

    /**
     * The priority level given with {@link Builder#priority} (0-7), or empty: then the lane's level applies ({@code
     * TetherConfig.Builder.lanePriority}, default {@link Priority#DEFAULT}).
     */
    public OptionalInt priority() {
        return priority < 0 ? OptionalInt.empty() : OptionalInt.of(priority);
    }

    /** The lane the message travels on: {@link #lane()}, or for a volatile message the volatile lane for it. */
    public String wireLane() {
        return volatileDelivery ? Lanes.volatileLane(lane) : lane;
    }

    /**
     * Returns {@code name} if an application may use it as a header name: not empty, not starting with {@code
     * ':'}.
     *
     * @throws IllegalArgumentException if it is empty or reserved
     */
    public static String requireApplicationHeader(String name) {
        Objects.requireNonNull(name, "header name");
        if (name.isEmpty()) throw new IllegalArgumentException("header name must not be empty");
        if (name.charAt(0) == ':') {
            throw new IllegalArgumentException("header name '" + name + "' starts with ':', which is reserved for"
                    + " Tether's call metadata (handler, kind, correlation, errors)");
        }
        return name;
    }

    /** The reserved header that carries an idempotency key ({@link Builder#idempotencyKey}). */
    public static final String IDEMPOTENCY_KEY_HEADER = ":i";

    /** The longest idempotency key, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_CHARS = 200;

    /**
     * Returns {@code key} if it is a valid idempotency key: 1 to {@value #MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII
     * characters ({@code '!'} to {@code '~'}: a UUID, a hash, an order number).
     *
     * @throws IllegalArgumentException if it is not
     */
    public static String requireIdempotencyKey(String key) {
        Objects.requireNonNull(key, "idempotency key");
        boolean ok = !key.isEmpty() && key.length() <= MAX_IDEMPOTENCY_KEY_CHARS;
        for (int i = 0; ok && i < key.length(); i++) ok = key.charAt(i) >= '!' && key.charAt(i) <= '~';
        if (!ok) {
            throw new IllegalArgumentException("invalid idempotency key '" + key + "': 1 to "
                    + MAX_IDEMPOTENCY_KEY_CHARS + " printable ASCII characters ('!' to '~')");
        }
        return key;
    }

    /** Builds an {@link OutboundMessage}; validates each value as it is set. */
    public static final class Builder {
        private final NodeId to;
        private String lane = Lanes.DEFAULT;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] payload = new byte[0];
        private Duration ttl;
        private boolean volatileDelivery;
        private int priority = -1;

        private Builder(NodeId to) {
            this.to = Objects.requireNonNull(to, "to");
        }

        /**
         * The lane ({@code [A-Za-z0-9._-]{1,64}}); default {@link Lanes#DEFAULT}.
         *
         * @throws InvalidIdException if {@code lane} is not a valid lane name
         * @throws IllegalArgumentException if it starts with {@code '_'} (reserved for Tether's own traffic), or is
         *     longer than 61 characters for a volatile message
         */
        public Builder lane(String lane) {
            Lanes.requireApplicationLane(lane);
            if (volatileDelivery) Lanes.volatileLane(lane); // too long for a volatile lane: fails here, at the setter
            this.lane = lane;
            return this;
        }

        /**
         * Makes the message volatile: never written to disk, on either node, so faster (no store commit) but lost if
         * either process dies. It is still delivered in order with the other volatile messages of its lane (on the
         * reserved lane {@code _v.<lane>}, where the receiver sees it; not ordered with durable messages of the lane)
         * and never processed twice: if the receiver's process restarts before acknowledging it, it is not sent again
         * and {@code processed()} completes with {@link Outcome#LOST}. {@code accepted()} completes when the node
         * numbered it (nothing is stored); it fails with {@link VolatileQueueFullException} when volatile messages
         * hold {@code TetherConfig.Builder.maxVolatileBytes}. See docs/MESSAGING.md, "Volatile sends".
         *
         * @throws IllegalArgumentException if the lane is longer than 61 characters
         */
        public Builder volatileDelivery() {
            Lanes.volatileLane(lane);
            this.volatileDelivery = true;
            return this;
        }

        /**
         * Adds a header; names are non-empty, names and values are at most 65,535 UTF-8 bytes.
         *
         * @throws IllegalArgumentException if {@code name} is empty or starts with {@code ':'} (reserved for the
         *     metadata of calls, see {@link TetherNode#call})
         */
        public Builder header(String name, String value) {
            headers.put(requireApplicationHeader(name), Objects.requireNonNull(value, "header value"));
            return this;
        }

        /**
         * An idempotency key: the receiver processes at most one message with this key from this node within its
         * dedup window ({@code TetherConfig.Builder.idempotencyKeys}, default 24 h); a later one is acknowledged
         * without reaching the handler. Use it to retry a send whose outcome is unknown ({@link
         * NodeClosedException}: "may have been stored"). See docs/MESSAGING.md, "Idempotency keys".
         *
         * @throws IllegalArgumentException if it is not 1 to {@value #MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII
         *     characters
         */
        public Builder idempotencyKey(String key) {
            headers.put(IDEMPOTENCY_KEY_HEADER, requireIdempotencyKey(key));
            return this;
        }

        /**
         * The message's priority level, 0 (lowest) to 7 (highest); default: its lane's level ({@code
         * TetherConfig.Builder.lanePriority}), else {@link Priority#DEFAULT} (4). Under contention higher levels are
         * stored, transmitted and delivered first, weighted rather than strictly, and never out of order within the
         * message's stream: a high message raises its stream's level until it has gone past (docs/MESSAGING.md,
         * "Priority").
         *
         * @throws IllegalArgumentException if {@code level} is outside 0-7
         */
        public Builder priority(int level) {
            this.priority = Priority.require(level);
            return this;
        }

        /** The payload; copied, so the caller may reuse the array. Default: empty. */
        public Builder payload(byte[] payload) {
            this.payload = Objects.requireNonNull(payload, "payload").clone();
            return this;
        }

        /** Time to live from the moment of sending; must be positive. */
        public Builder ttl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.isZero() || ttl.isNegative())
                throw new IllegalArgumentException("ttl must be positive, was " + ttl);
            this.ttl = ttl;
            return this;
        }

        /** The message; the builder may be reused afterwards. */
        public OutboundMessage build() {
            return new OutboundMessage(this);
        }
    }
}
