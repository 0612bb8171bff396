package dev.tether.management;

import dev.tether.NodeId;
import java.time.Instant;
import java.util.Map;

/**
 * A dead letter as management lists it.
 *
 * @param id its id, {@code from/lane/senderEpoch/seq}: what {@link NodeManagement#replayDeadLetter} and {@link
 *     NodeManagement#purgeDeadLetters} take
 * @param from the sender
 * @param lane the lane it came on
 * @param seq its sequence number in the sender's stream
 * @param headers its headers
 * @param size its payload's length in bytes
 * @param payload its payload; null unless asked for
 * @param attempts failed deliveries before it was dead-lettered
 * @param reason why it was dead-lettered
 * @param at when
 */
public record DeadLetterEntry(
        String id,
        NodeId from,
        String lane,
        long seq,
        Map<String, String> headers,
        int size,
        byte[] payload,
        int attempts,
        String reason,
        Instant at) {
    /** Copies the headers; the payload array is the caller's from now on. */
    public DeadLetterEntry {
        headers = Map.copyOf(headers);
    }
}
