package dev.tether.management;

import dev.tether.MessageId;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A stored message its receiver has not acknowledged yet.
 *
 * @param id the message's id
 * @param size payload length in bytes
 * @param headers its headers
 * @param expiresAt its deadline; null without a time to live
 * @param acceptedAt when the sending node accepted it (numbered it for its store, by its clock); null if unknown: a
 *     message stored by a Tether that did not keep the time (an SQLite store of schema version 4 or older)
 * @param age how long before the query it was accepted (never negative); null if {@code acceptedAt} is
 * @param attempts how often the sending node transmitted it to the receiver since the node started: counted in memory,
 *     so a restart starts again from 0 (also for a message an earlier process transmitted); 0 for a message not
 *     transmitted yet
 * @param payload its payload; null unless asked for
 */
public record PendingMessage(
        MessageId id,
        int size,
        Map<String, String> headers,
        Instant expiresAt,
        Instant acceptedAt,
        Duration age,
        int attempts,
        byte[] payload) {
    /** Copies the headers; rejects a negative age or attempt count. */
    public PendingMessage {
        headers = Map.copyOf(headers);
        if (age != null && age.isNegative()) throw new IllegalArgumentException("negative age " + age);
        if (attempts < 0) throw new IllegalArgumentException("negative attempts " + attempts);
    }
}
