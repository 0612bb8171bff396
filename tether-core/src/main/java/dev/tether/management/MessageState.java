package dev.tether.management;

import dev.tether.MessageId;

/**
 * Where a sent message stands, as {@link NodeManagement#messageState} derived it.
 *
 * @param id the message
 * @param status its status
 * @param detail the stream positions it was derived from, in words
 */
public record MessageState(MessageId id, Status status, String detail) {
    /** A sent message's status, as far as the sender's stored state tells. */
    public enum Status {
        /** Stored, not yet acknowledged by the receiver. */
        PENDING,
        /**
         * Settled: taken care of by the receiver (processed, dead-lettered or expired there), expired here before it
         * was transmitted, or purged ({@link NodeManagement#purge}). The sender stores only how far the stream is
         * settled, not which of these happened; after a restart the {@code processed()} futures that said so are gone.
         */
        ACKNOWLEDGED,
        /** Never numbered in this stream: the stream or the sequence number does not exist (yet). */
        UNKNOWN
    }
}
