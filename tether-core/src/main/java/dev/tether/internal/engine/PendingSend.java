package dev.tether.internal.engine;

import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import java.util.Map;

/**
 * A send waiting for the next batch, with its priority level ({@link StreamLevels#of}, read from its {@code :p}
 * header once, here), its encoded size ({@link FrameCodec#messageSize}, computed once: the page's byte count needs it
 * when the batch is committed) and its checksum without the sequence number ({@link MessageChecksum#withoutSeq}) if
 * the sender's thread computed it, else 0.
 */
record PendingSend(
        long token, Map<String, String> headers, byte[] payload, long expiresAt, int level, int size, long withoutSeq) {
    PendingSend(long token, Map<String, String> headers, byte[] payload, long expiresAt) {
        this(token, headers, payload, expiresAt, -1, 0);
    }

    /**
     * {@code headersBytes}: the headers' encoded size ({@link FrameCodec#headersSize}) if known, else -1; {@code
     * withoutSeq}: {@link MessageChecksum#withoutSeq} of this message if known, else 0.
     */
    PendingSend(
            long token,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            int headersBytes,
            long withoutSeq) {
        this(
                token,
                headers,
                payload,
                expiresAt,
                StreamLevels.of(headers),
                headersBytes < 0
                        ? FrameCodec.messageSize(headers, payload.length)
                        : FrameCodec.MESSAGE_OVERHEAD + headersBytes + payload.length,
                withoutSeq);
    }

    /**
     * This send as message {@code seq} of {@code key}, accepted at {@code acceptedAt}, its checksum computed now,
     * once, before it is stored anywhere: from the one the sender's thread computed without the sequence number if
     * there is one (the message's bytes are not read again on this thread), else from the message. One record, not
     * one and then a copy with its acceptance time: this runs once per message sent. {@code checksums} finishes the
     * sender's value.
     */
    StoredMessage numbered(StreamKey key, long seq, long acceptedAt, SeqChecksums checksums) {
        long checksum = withoutSeq != 0
                ? checksums.withSeq(withoutSeq, seq)
                : MessageChecksum.of(key.lane(), seq, expiresAt, headers, payload);
        return new StoredMessage(key.peer(), key.lane(), seq, expiresAt, headers, payload, checksum, acceptedAt);
    }
}
