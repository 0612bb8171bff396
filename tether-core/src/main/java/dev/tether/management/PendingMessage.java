package dev.tether.management;

import dev.tether.MessageId;
import java.time.Instant;
import java.util.Map;

/**
 * A stored message its receiver has not acknowledged yet.
 *
 * @param id the message's id
 * @param size payload length in bytes
 * @param headers its headers
 * @param expiresAt its deadline; null without a time to live
 * @param payload its payload; null unless asked for
 */
public record PendingMessage(MessageId id, int size, Map<String, String> headers, Instant expiresAt, byte[] payload) {
    /** Copies the headers. */
    public PendingMessage {
        headers = Map.copyOf(headers);
    }
}
