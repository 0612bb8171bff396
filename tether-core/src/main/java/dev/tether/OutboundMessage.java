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

    public static Builder to(NodeId to) {
        return new Builder(to);
    }

    public NodeId to() {
        return to;
    }

    public String lane() {
        return lane;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** A read-only view of the payload. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

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

        public OutboundMessage build() {
            return new OutboundMessage(this);
        }
    }
}
