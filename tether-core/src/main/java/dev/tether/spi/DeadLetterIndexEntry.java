package dev.tether.spi;

import dev.tether.NodeId;

/**
 * What the bounds of the dead-letter queue decide on, of one stored dead letter ({@link Store#readDeadLetterIndex},
 * rule 24): its identity (sender, lane, sender epoch, sequence number), payload length and time, without the payload.
 *
 * @param size the payload length in bytes
 * @param atMillis when it was dead-lettered ({@link DeadLetter#atMillis()})
 */
public record DeadLetterIndexEntry(NodeId from, String lane, long senderEpoch, long seq, int size, long atMillis) {
    /** The entry of {@code d}. */
    public static DeadLetterIndexEntry of(DeadLetter d) {
        return new DeadLetterIndexEntry(d.from(), d.lane(), d.senderEpoch(), d.seq(), d.payload().length, d.atMillis());
    }

    /** The removal ({@link WriteBatch#removeDeadLetter}) that names this dead letter. */
    public WriteBatch.DeadLetterRemoval removal() {
        return new WriteBatch.DeadLetterRemoval(from, lane, senderEpoch, seq);
    }
}
