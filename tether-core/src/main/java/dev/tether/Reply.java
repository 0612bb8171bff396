package dev.tether;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;

/**
 * The reply to a {@link Call#request}: the handler's result and the headers it added, who answered, and which
 * request it answers. Immutable.
 */
public final class Reply {
    private final NodeId from;
    private final MessageId requestId;
    private final Map<String, String> headers;
    private final byte[] payload;

    /** A reply from {@code from} to request {@code requestId}; {@code payload} is not copied (used by the node). */
    public Reply(NodeId from, MessageId requestId, Map<String, String> headers, byte[] payload) {
        this.from = Objects.requireNonNull(from, "from");
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.headers = Map.copyOf(headers);
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** The node whose handler answered. */
    public NodeId from() {
        return from;
    }

    /** The request this answers: the same value as the request's {@code accepted()} id and {@link CallContext#requestId()}. */
    public MessageId requestId() {
        return requestId;
    }

    /** Headers the handler added ({@link CallContext#replyHeader}); never null. */
    public Map<String, String> headers() {
        return headers;
    }

    /** A read-only view of the payload. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** A copy of the payload. */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    @Override
    public String toString() {
        return "Reply[from " + from + " to " + requestId + ", " + payload.length + " bytes]";
    }
}
