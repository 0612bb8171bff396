package dev.tether;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message to send: destination, lane, headers, payload and optional time to live. Immutable; build
 * with {@link #to(NodeId)}. The payload array is copied.
 */
public final class OutboundMessage {
    private final NodeId to;
    private final String lane;
    private final Map<String, String> headers;
    private final byte[] payload;
    private final Duration ttl;

    private OutboundMessage(Builder b) {
        this.to = b.to;
        this.lane = b.lane;
        this.headers = Map.copyOf(b.headers);
        this.payload = b.payload;
        this.ttl = b.ttl;
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

    /** The headers, in the order they were added; unmodifiable. */
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

    /** Builds an {@link OutboundMessage}; validates each value as it is set. */
    public static final class Builder {
        private final NodeId to;
        private String lane = Lanes.DEFAULT;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] payload = new byte[0];
        private Duration ttl;

        private Builder(NodeId to) {
            this.to = Objects.requireNonNull(to, "to");
        }

        /**
         * The lane ({@code [A-Za-z0-9._-]{1,64}}); default {@link Lanes#DEFAULT}.
         *
         * @throws InvalidIdException if {@code lane} is not a valid lane name
         */
        public Builder lane(String lane) {
            this.lane = Lanes.requireValid(lane);
            return this;
        }

        /** Adds a header; names are non-empty, names and values are at most 65,535 UTF-8 bytes. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            if (name.isEmpty()) throw new IllegalArgumentException("header name must not be empty");
            headers.put(name, value);
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
