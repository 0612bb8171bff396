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
         * Taken care of by the receiver: processed, dead-lettered or expired there (the sender keeps only the
         * receiver's cursor, not which of them), or expired here before it was transmitted.
         */
        ACKNOWLEDGED,
        /** Dropped from the outbox by a purge ({@link NodeManagement#purge}). */
        PURGED,
        /** Never numbered in this stream: the stream or the sequence number does not exist (yet). */
        UNKNOWN
    }
}
