package dev.tether.internal.engine;

import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import java.util.Map;

/**
 * A send waiting for the next batch, with its priority level ({@link StreamLevels#of}, read from its {@code :p}
 * header once, here) and its encoded size ({@link FrameCodec#messageSize}, computed once: the page's byte count
 * needs it when the batch is committed).
 */
record PendingSend(long token, Map<String, String> headers, byte[] payload, long expiresAt, int level, int size) {
    PendingSend(long token, Map<String, String> headers, byte[] payload, long expiresAt) {
        this(token, headers, payload, expiresAt, -1);
    }

    /** {@code headersBytes}: the headers' encoded size ({@link FrameCodec#headersSize}) if known, else -1. */
    PendingSend(long token, Map<String, String> headers, byte[] payload, long expiresAt, int headersBytes) {
        this(
                token,
                headers,
                payload,
                expiresAt,
                StreamLevels.of(headers),
                headersBytes < 0
                        ? FrameCodec.messageSize(headers, payload.length)
                        : FrameCodec.MESSAGE_OVERHEAD + headersBytes + payload.length);
    }

    /**
     * This send as message {@code seq} of {@code key}, accepted at {@code acceptedAt}, its checksum computed now,
     * once, before it is stored anywhere. One record, not one and then a copy with its acceptance time: this runs
     * once per message sent.
     */
    StoredMessage numbered(StreamKey key, long seq, long acceptedAt) {
        long checksum = MessageChecksum.of(key.lane(), seq, expiresAt, headers, payload);
        return new StoredMessage(key.peer(), key.lane(), seq, expiresAt, headers, payload, checksum, acceptedAt);
    }
}
