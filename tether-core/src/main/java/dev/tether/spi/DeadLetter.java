package dev.tether.spi;

import dev.tether.NodeId;
import java.util.Map;

/** A message this node received from {@code from} and gave up on after {@code attempts} failed deliveries. */
public record DeadLetter(
        NodeId from,
        String lane,
        long senderEpoch,
        long seq,
        Map<String, String> headers,
        byte[] payload,
        int attempts,
        String reason,
        long atMillis) {
    /** Copies {@code headers}; the payload array is owned by the record and nobody modifies it. */
    public DeadLetter {
        headers = Map.copyOf(headers);
    }
}
