package dev.tether.spi;

import dev.tether.NodeId;
import java.util.Map;

/**
 * An outbox row: a message sent by this node to {@code to} on {@code lane} with sequence number {@code seq}.
 * {@code expiresAtMillis} is wall-clock epoch milliseconds, or 0 for no expiry. The payload array is owned
 * by the record; nobody modifies it.
 */
public record StoredMessage(
        NodeId to, String lane, long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload) {
    /** Copies {@code headers}. */
    public StoredMessage {
        headers = Map.copyOf(headers);
    }
}
