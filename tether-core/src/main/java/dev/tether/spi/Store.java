package dev.tether.spi;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import java.util.List;

/**
 * A node's persistent state: the outbox of messages not yet acknowledged by their receivers, per-stream
 * receive cursors, the store epoch, the last epoch seen from each peer, and the dead-letter queue. One
 * node owns a store; Tether calls it from one writer thread at a time ({@link #commit} and the reads are
 * never concurrent with each other), except that a store that declares itself {@linkplain #isNonBlocking()
 * non-blocking} is also called from the node's own thread.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.StoreContract} checks them.
 *
 * <ol>
 *   <li>{@link #open} is called once, before anything else. The first open of a new store creates a random,
 *       non-zero epoch; every later open of the same store returns the same epoch.
 *   <li>{@link #commit} is atomic: after it returns every write of the batch is stored at the requested
 *       {@link Durability}; if it throws, none of them is visible, now or after a reopen.
 *   <li>Writes in a batch apply in this order: appends, trims, cursors, dead letters, peer epochs.
 *   <li>An append carries {@code lastSeq + 1} of its stream (1 for a new stream); any other sequence number,
 *       including one already used, makes the whole batch fail with {@link StoreException}. Sequence numbers
 *       are never reused.
 *   <li>A trim deletes every message of the stream with {@code seq <= upToSeq} and records
 *       {@code ackedSeq = max(ackedSeq, upToSeq)}; a trim beyond {@code lastSeq} fails the batch. {@code
 *       lastSeq} of a stream never decreases, even when its outbox becomes empty, so a reopened store
 *       continues numbering where it stopped.
 *   <li>A cursor write replaces the stored cursor of (from, lane), whatever its previous epoch.
 *   <li>{@link #readOutbox} returns stored messages of one stream with {@code seq >= fromSeq}, in ascending
 *       order, at most {@code max} of them, without gaps.
 *   <li>Every field of an appended message comes back from {@link #readOutbox} as it was appended, its {@link
 *       StoredMessage#checksum() checksum} included (also {@link MessageChecksum#UNCHECKED}); the store does not
 *       recompute it, so that a change to the stored bytes shows as a mismatch when the engine verifies it. A
 *       store that holds messages written before it kept checksums returns those with {@code UNCHECKED}.
 *   <li>Failures throw {@link StoreException} naming the problem; a store never reports success for a write
 *       it did not make.
 *   <li>{@link #open} above {@link #maxDurability()}, any call but {@code maxDurability} before {@code open},
 *       and every call but {@code close} after {@link #close} throw {@link StoreException}. {@code close} is
 *       idempotent.
 * </ol>
 */
public interface Store extends AutoCloseable {
    /** The strongest durability this store can honour. */
    Durability maxDurability();

    /**
     * Whether {@link #commit} and {@link #readOutbox} return without waiting for I/O or locks held for long. A
     * store that says so MUST be thread-safe; Tether then calls them directly from the node thread, saving
     * two thread hand-offs per commit. Stores that touch a disk or a network MUST return false (the
     * default): a slow call on the node thread would stall every stream of the node.
     */
    default boolean isNonBlocking() {
        return false;
    }

    /** Opens the store at {@code durability} (at most {@link #maxDurability()}) and returns its state. */
    StoredState open(Durability durability);

    /** Commits {@code batch} atomically. */
    void commit(WriteBatch batch);

    /** Reads up to {@code max} outbox messages of stream (to, lane) starting at {@code fromSeq}. */
    List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max);

    /** Reads up to {@code max} dead letters, oldest first. */
    List<DeadLetter> readDeadLetters(int max);

    @Override
    void close();
}
