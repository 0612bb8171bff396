package dev.tether.spi;

import dev.tether.NodeId;
import java.util.Map;

/**
 * An outbox row: a message sent by this node to {@code to} on {@code lane} with sequence number {@code seq}.
 * {@code expiresAtMillis} is wall-clock epoch milliseconds, or 0 for no expiry. {@code checksum} is the message's
 * {@link MessageChecksum} computed when it was numbered, which a store keeps with the row and returns unchanged (the
 * engine verifies it when it reads the row back), or {@link MessageChecksum#UNCHECKED} for a row stored before
 * checksums existed. {@code acceptedAtMillis} is when the sender's engine numbered it for its first store batch
 * (wall-clock epoch milliseconds), kept for the management view of pending messages (their age); 0 if unknown (a row
 * stored before stores kept it). It is not covered by the checksum: it says nothing about what the receiver gets.
 * The payload array is owned by the record; nobody modifies it.
 */
public record StoredMessage(
        NodeId to,
        String lane,
        long seq,
        long expiresAtMillis,
        Map<String, String> headers,
        byte[] payload,
        long checksum,
        long acceptedAtMillis) {
    /**
     * Copies {@code headers}; rejects a checksum outside {@code [0, 2^32)} other than {@code UNCHECKED} and a negative
     * acceptance time.
     */
    public StoredMessage {
        headers = Map.copyOf(headers);
        if (!MessageChecksum.isValid(checksum)) throw new IllegalArgumentException("invalid checksum " + checksum);
        if (acceptedAtMillis < 0) throw new IllegalArgumentException("negative acceptedAtMillis " + acceptedAtMillis);
    }

    /** A message with {@code checksum} whose acceptance time is unknown (0). */
    public StoredMessage(
            NodeId to,
            String lane,
            long seq,
            long expiresAtMillis,
            Map<String, String> headers,
            byte[] payload,
            long checksum) {
        this(to, lane, seq, expiresAtMillis, headers, payload, checksum, 0);
    }

    /** A message whose checksum is computed now from its expiry, headers and payload; its acceptance time unknown. */
    public StoredMessage(
            NodeId to, String lane, long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload) {
        this(
                to,
                lane,
                seq,
                expiresAtMillis,
                headers,
                payload,
                MessageChecksum.of(lane, seq, expiresAtMillis, headers, payload),
                0);
    }

    /** This message with acceptance time {@code millis}. */
    public StoredMessage acceptedAt(long millis) {
        return new StoredMessage(to, lane, seq, expiresAtMillis, headers, payload, checksum, millis);
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
