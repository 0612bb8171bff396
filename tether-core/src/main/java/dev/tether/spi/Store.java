package dev.tether.spi;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import java.util.List;

/**
 * A node's persistent state: the outbox of messages not yet acknowledged by their receivers, per-stream
 * receive cursors, the store epoch, the last epoch seen from each peer, the dead-letter queue, a small
 * key-value area (namespace and key to value, with an optional expiry; {@link KeyValue}) that the layers above the
 * streams write in the same batches (idempotency keys, the event registry), and channels: the logs of the channels
 * this node publishes on (each message once, whatever the number of readers), their readers' cursors, and this
 * node's memberships. One
 * node owns a store; Tether calls it from one writer thread at a time ({@link #commit} and the reads are
 * never concurrent with each other), except that a store that declares itself {@linkplain #isNonBlocking()
 * non-blocking} is also called from the node's own thread.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.StoreContract} checks them (the history rules
 * 26-28: {@code HistoryStoreContract}; the key-value rules 11-15 and 29: {@code KeyValueContract}).
 *
 * <ol>
 *   <li>{@link #open} is called once, before anything else. The first open of a new store creates a random,
 *       non-zero epoch; every later open of the same store returns the same epoch.
 *   <li>{@link #commit} is atomic: after it returns every write of the batch is stored at the requested
 *       {@link Durability}; if it throws, none of them is visible, now or after a reopen.
 *   <li>Writes in a batch apply in this order: appends, trims, cursors, dead letters, dead-letter removals, peer
 *       epochs, key-value writes, removal of expired key-value entries, channel publishes, channel trims, channel
 *       reader updates, channel membership updates.
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
 *   <li>Key-value writes ({@link WriteBatch#put}, {@link WriteBatch#delete}) are part of their batch (rule 2) and
 *       apply in batch order: a put replaces the entry of its namespace and key (value and expiry), a delete
 *       removes it (nothing if there is none), and the last write of a key in a batch wins.
 *   <li>{@link #readKeys} returns the entries of one namespace whose key is greater than {@code afterKey} (all
 *       with null), in ascending key order (keys are ASCII: {@link String#compareTo}), at most {@code max} of
 *       them; every field as it was put. Namespaces never see each other's entries.
 *   <li>An entry that has expired at {@code nowMillis} ({@link KeyValue#expiredAt}) is never returned by {@link
 *       #readKeys} at that time, whether or not it was removed yet.
 *   <li>{@link WriteBatch#removeExpiredKeys} deletes every entry, of every namespace, that has expired at the
 *       given time: afterwards it is not returned by any read, whatever its {@code nowMillis}. Stores need not
 *       remove expired entries otherwise; Tether asks for it periodically.
 *   <li>Committed key-value entries survive a clean reopen and a crash like every other write. The area has no
 *       bound of its own beyond those of {@link KeyValue} (key at most {@value KeyValue#MAX_KEY_CHARS}
 *       characters, value at most {@value KeyValue#MAX_VALUE_BYTES} bytes) and the store's size limit, if it has
 *       one: its users bound how many entries they keep.
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
 *   <li>Channel writes (rules 16 to 18) are part of their batch's atomicity (rule 2) and apply after every other
 *       write of the batch, in the order rule 3 lists: publishes, channel trims, reader updates, membership updates.
 *   <li>{@link #readChannel} returns messages of one channel's log with {@code seq >= max(fromSeq, trimmedSeq + 1)},
 *       in ascending order, at most {@code max} of them, without gaps, every field (publish time and checksum
 *       included) as it was published.
 *   <li>{@link #readChannels} returns every membership, and a {@link ChannelLog} for every channel that ever had
 *       a publish or a reader: its {@code lastSeq}, {@code trimmedSeq}, the sum of the payload lengths of the messages it
 *       holds, and its readers with their cursors. Memberships and logs are sorted by channel name, a log's readers
 *       by node id ({@link String#compareTo}).
 *   <li>A dead-letter removal ({@link WriteBatch#removeDeadLetter}) deletes every dead letter of its sender, lane,
 *       sender epoch and sequence number, also one added earlier in the same batch, and nothing if there is none;
 *       it is part of its batch's atomicity (rule 2). {@link #readDeadLetters} never returns a removed one, and the
 *       others keep their order.
 *   <li>{@link #readChannelIndex} returns, for exactly the messages {@link #readChannel} returns with the same
 *       arguments, their sequence number, payload length and publish time as published, also after a reopen: retention
 *       by bytes and age (docs/CHANNELS-DESIGN.md, section 4) decides on them after a restart. A store may answer it
 *       from {@link #readChannel} (the default) or without reading payloads.
 *   <li>{@link #readDeadLetterIndex} returns, for exactly the dead letters {@link #readDeadLetters} returns when asked
 *       for all of them, in the same order (oldest first), their sender, lane, sender epoch, sequence number, payload
 *       length and time as written, also after a reopen: the bounds of the dead-letter queue ({@code DeadLetterLimits})
 *       decide on them after a restart. A store may answer it from {@link #readDeadLetters} (the default) or without
 *       reading payloads.
 *   <li>{@link #readOutbox} returns each message's {@link StoredMessage#acceptedAtMillis() acceptance time} as it was
 *       appended (0 included), also after a reopen: the management view of pending messages shows their age from it.
 *       A store that holds messages written before it kept the time returns those with 0 (unknown).
 *   <li>History entries ({@link WriteBatch#history}) are part of their batch's atomicity (rule 2) and apply after
 *       every other write of the batch (after rule 3's list). Each stored entry gets an id greater than every entry
 *       stored before it (in the batch, in earlier batches, also trimmed ones and across reopens): ids are never
 *       reused. The id an entry carries in the batch is ignored.
 *   <li>{@link #readHistory} returns the stored entries that match every filter of the query ({@link
 *       HistoryQuery#matches}) with an id greater than its {@code afterId}, ids ascending, at most its {@code max};
 *       every field as written, except the id (the store's) and the payload, which is returned only if the query
 *       asks for payloads (else null) and then as written (null if none was written).
 *   <li>A history trim ({@link WriteBatch#trimHistory}) applies after the batch's history entries: afterwards no entry
 *       with {@code atMillis < olderThanMillis} remains, and of the others at most {@code keepNewest}, those with the
 *       greatest ids. {@link #historySummary} returns the number of stored entries, the smallest {@code atMillis}
 *       among them (0 if none) and the sum of their payload lengths (a null payload counts 0).
 *   <li>{@link #readNewestKeys} returns, of the entries of one namespace that {@link #readKeys} returns at {@code
 *       nowMillis}, the {@code max} that come last in {@link KeyValue#EXPIRY_ORDER} (by expiry, an entry that never
 *       expires after every other, then by key), in that order (the newest last); all of them if there are fewer;
 *       every field as it was put. A negative {@code max} or an invalid namespace throws {@link
 *       IllegalArgumentException}. The default answers it from {@link #readKeys}, page by page; a store whose
 *       namespaces may grow large should answer it without reading the whole namespace.
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

    /** Reads up to {@code max} messages of {@code channel}'s log starting at {@code fromSeq} (rule 20). */
    List<ChannelMessage> readChannel(String channel, long fromSeq, int max);

    /**
     * Reads the index of up to {@code max} messages of {@code channel}'s log starting at {@code fromSeq}: sequence
     * number, payload length and publish time (rule 23). The default reads the messages.
     */
    default List<ChannelEntry> readChannelIndex(String channel, long fromSeq, int max) {
        return readChannel(channel, fromSeq, max).stream()
                .map(m -> new ChannelEntry(m.seq(), m.payload().length, m.publishedAtMillis()))
                .toList();
    }

    /** Reads the stored channel state: memberships, logs and their readers (rule 21). */
    StoredChannels readChannels();

    /** Reads up to {@code max} dead letters, oldest first. */
    List<DeadLetter> readDeadLetters(int max);

    /**
     * Reads the index of every dead letter, oldest first: identity, payload length and time (rule 24). The default
     * reads the dead letters.
     */
    default List<DeadLetterIndexEntry> readDeadLetterIndex() {
        return readDeadLetters(Integer.MAX_VALUE).stream()
                .map(DeadLetterIndexEntry::of)
                .toList();
    }

    /**
     * Reads up to {@code max} key-value entries of {@code namespace} with keys after {@code afterKey} (null: from
     * the first), in ascending key order, leaving out those expired at {@code nowMillis}.
     */
    List<KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max);

    /**
     * Reads the {@code max} entries of {@code namespace} live at {@code nowMillis} that expire last, oldest first
     * ({@link KeyValue#EXPIRY_ORDER}; rule 29): what a user that keeps only its newest entries loads at a start.
     *
     * <p>The default, for stores written before this method existed, reads the whole namespace with {@link
     * #readKeys}, a page at a time, and holds no more than {@code max} entries and one page: right, but its cost
     * grows with the namespace, not with {@code max}.
     */
    default List<KeyValue> readNewestKeys(String namespace, long nowMillis, int max) {
        return NewestKeys.read(this, namespace, nowMillis, max);
    }

    /**
     * Reads the history entries {@code query} selects (rule 27). The default, for stores written before history
     * existed, throws {@link StoreException}.
     */
    default List<HistoryEntry> readHistory(HistoryQuery query) {
        throw new StoreException(getClass().getName() + " does not keep a history");
    }

    /** Counts the history (rule 28). The default, for stores written before history existed, throws. */
    default HistoryStats historySummary() {
        throw new StoreException(getClass().getName() + " does not keep a history");
    }

    @Override
    void close();
}
