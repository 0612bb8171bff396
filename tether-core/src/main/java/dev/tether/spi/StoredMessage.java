package dev.tether.spi;

import dev.tether.NodeId;
import java.util.Map;

/**
 * An outbox row: a message sent by this node to {@code to} on {@code lane} with sequence number {@code seq}.
 * {@code expiresAtMillis} is wall-clock epoch milliseconds, or 0 for no expiry. {@code checksum} is the message's
 * {@link MessageChecksum} computed when it was numbered, which a store keeps with the row and returns unchanged (the
 * engine verifies it when it reads the row back), or {@link MessageChecksum#UNCHECKED} for a row stored before
 * checksums existed. The payload array is owned by the record; nobody modifies it.
 */
public record StoredMessage(
        NodeId to,
        String lane,
        long seq,
        long expiresAtMillis,
        Map<String, String> headers,
        byte[] payload,
        long checksum) {
    /** Copies {@code headers}; rejects a checksum outside {@code [0, 2^32)} other than {@code UNCHECKED}. */
    public StoredMessage {
        headers = Map.copyOf(headers);
        if (!MessageChecksum.isValid(checksum)) throw new IllegalArgumentException("invalid checksum " + checksum);
    }

    /** A message whose checksum is computed now from its expiry, headers and payload. */
    public StoredMessage(
            NodeId to, String lane, long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload) {
        this(
                to,
                lane,
                seq,
                expiresAtMillis,
                headers,
                payload,
                MessageChecksum.of(lane, seq, expiresAtMillis, headers, payload));
    }

    /**
     * Whether the expiry, headers and payload still match the checksum; true for an {@link MessageChecksum#UNCHECKED}
     * row, which cannot be verified.
     */
    public boolean intact() {
        return checksum == MessageChecksum.UNCHECKED
                || checksum == MessageChecksum.of(lane, seq, expiresAtMillis, headers, payload);
    }
}
