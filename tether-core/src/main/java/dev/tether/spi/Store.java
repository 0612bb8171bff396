package dev.tether.spi;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import java.util.List;

/**
 * A node's persistent state: the outbox of messages not yet acknowledged by their receivers, per-stream
 * receive cursors, the store epoch, the last epoch seen from each peer, the dead-letter queue, and channels: the
 * logs of the channels this node publishes on (each message once, whatever the number of readers), their readers'
 * cursors, and this node's memberships. One
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
 *   <li>A publish carries {@code lastSeq + 1} of its channel's log (1 for a new channel); any other sequence number
 *       makes the whole batch fail with {@link StoreException}. A channel's {@code lastSeq} never decreases, also
 *       when trims empty its log, so a reopened store continues numbering where it stopped. A publish is stored
 *       once: the space it takes does not depend on the number of the channel's readers.
 *   <li>A channel trim deletes every message of the channel's log with {@code seq <= upToSeq} and records {@code
 *       trimmedSeq = max(trimmedSeq, upToSeq)}; a trim beyond the channel's {@code lastSeq} fails the batch.
 *       Readers are not changed by a trim (a reader's cursor may lie below {@code trimmedSeq}).
 *   <li>A reader update replaces the stored cursor of (channel, reader), adding the reader if it is new; a removal
 *       deletes it (nothing if it is absent). Membership updates likewise replace or delete this node's role in a
 *       channel. Updates of one kind apply in the order they were added to the batch.
 *   <li>Writes in a batch apply in this order: the writes of rule 3, then publishes, channel trims, reader updates,
 *       membership updates. All of them are part of the batch's atomicity (rule 2).
 *   <li>{@link #readChannel} returns messages of one channel's log with {@code seq >= max(fromSeq, trimmedSeq + 1)},
 *       in ascending order, at most {@code max} of them, without gaps, every field (publish time and checksum
 *       included) as it was published.
 *   <li>{@link #readChannels} returns every membership, and a {@link ChannelLog} for every channel that ever had
 *       a publish or a reader: its {@code lastSeq}, {@code trimmedSeq}, the sum of the payload lengths of the messages it
 *       holds, and its readers with their cursors. Memberships and logs are sorted by channel name, a log's readers
 *       by node id ({@link String#compareTo}).
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

    /** Reads up to {@code max} messages of {@code channel}'s log starting at {@code fromSeq} (rule 15). */
    List<ChannelMessage> readChannel(String channel, long fromSeq, int max);

    /** Reads the stored channel state: memberships, logs and their readers (rule 16). */
    StoredChannels readChannels();

    /** Reads up to {@code max} dead letters, oldest first. */
    List<DeadLetter> readDeadLetters(int max);

    @Override
    void close();
}
