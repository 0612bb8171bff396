package dev.tether.spi;

import java.util.Map;

/**
 * A row of a channel log: a message this node published on {@code channel} with sequence number {@code seq},
 * stored once whatever the number of readers. {@code publishedAtMillis} is the publisher's wall clock (epoch
 * milliseconds) when it was numbered, for retention by age and readers starting from a time; {@code
 * expiresAtMillis} is epoch milliseconds or 0 for no expiry. {@code checksum} is the {@link MessageChecksum} over
 * the channel's lane ({@code dev.tether.Channels.lane(channel)}), the sequence number, expiry, headers and payload:
 * the same for every reader, since every reader's stream uses that lane and the log's numbers. The payload array is
 * owned by the record; nobody modifies it.
 */
public record ChannelMessage(
        String channel,
        long seq,
        long publishedAtMillis,
        long expiresAtMillis,
        Map<String, String> headers,
        byte[] payload,
        long checksum) {
    /** Copies {@code headers}; rejects a checksum outside {@code [0, 2^32)} other than {@code UNCHECKED}. */
    public ChannelMessage {
        headers = Map.copyOf(headers);
        if (!MessageChecksum.isValid(checksum)) throw new IllegalArgumentException("invalid checksum " + checksum);
    }
}
