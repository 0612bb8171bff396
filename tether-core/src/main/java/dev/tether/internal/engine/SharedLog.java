package dev.tether.internal.engine;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One log this node publishes on (a channel), read by several outbound streams, its readers: each reader stream is
 * an ordinary {@link OutStream} on the log's lane whose sequence numbers are the log's, whose messages come from the
 * log (stored once, whatever the number of readers) and whose cursor is a reader row instead of trims of an outbox
 * of its own. The log keeps one page cache, the window, shared by every reader: the same immutable messages, not a
 * copy per reader. Numbers split as for a stream: {@code ..trimmedSeq} deleted from the store, {@code
 * ..committedSeq} stored, {@code ..lastSeq} numbered (batches being committed). Not thread-safe: the engine's
 * thread only.
 */
final class SharedLog {
    final String name;
    final String lane;
    /** This node: the publisher, named as the recipient of the log's messages as streams see them (see asStored). */
    private final NodeId self;

    private final int windowLimit;

    private long lastSeq;
    private long committedSeq;
    /** The log's prefix deleted from the store (durable). */
    private long trimmedSeq;
    /** The highest trim written into a batch, committed or in flight: nothing at or below it may be read again. */
    private long trimWritten;

    /** Retention (docs/CHANNELS-DESIGN.md, section 4): the limits, and what they decide on. */
    private ChannelOptions options = ChannelOptions.unlimited();

    private final RetentionIndex index = new RetentionIndex();
    /** Payload bytes of the messages numbered and not yet committed. */
    private long uncommittedBytes;
    /** The highest trim retention decided: written again if its batch fails. */
    private long dropDecided;
    /** Payload bytes of the publishes queued for a batch ({@code pending}). */
    private long pendingBytes;
    /** Publishes refused because the log was full ({@link ChannelOptions.WhenFull#REJECT}, {@code BLOCK}). */
    private long rejected;
    /** Messages this process stored in the log (publishes and routed copies), for its statistics. */
    private long published;
    /** Per reader, the messages it reported missed (DROPPED markers it settled), for its statistics. */
    private final Map<NodeId, Long> missed = new LinkedHashMap<>();

    private final ArrayDeque<PendingSend> pending = new ArrayDeque<>();
    private final Map<NodeId, OutStream> readers = new LinkedHashMap<>();
    /**
     * The page cache shared by the readers: consecutive messages, filled at the end by commits of this process's
     * publishes and by pages read for a reader that continue it (or start it, if it is empty), at most
     * {@code windowLimit} of them; messages every reader has settled leave it.
     */
    private final OutRing window = new OutRing();

    SharedLog(String name, NodeId self, long lastSeq, long trimmedSeq, int windowLimit) {
        this.name = name;
        this.lane = Channels.lane(name);
        this.self = self;
        this.windowLimit = windowLimit;
        this.lastSeq = lastSeq;
        this.committedSeq = lastSeq;
        this.trimmedSeq = trimmedSeq;
        this.trimWritten = trimmedSeq;
        window.resetTo(lastSeq + 1);
    }

    long lastSeq() {
        return lastSeq;
    }

    /** The stored index of what the log holds, after a restart: retention goes on where it stopped. */
    void restore(Iterable<ChannelEntry> entries) {
        for (ChannelEntry e : entries) {
            if (e.seq() > trimmedSeq && e.seq() <= committedSeq)
                index.add(e.seq(), e.payloadBytes(), e.publishedAtMillis());
        }
    }

    void options(ChannelOptions o) {
        options = o;
    }

    ChannelOptions options() {
        return options;
    }

    /** Whether publishes beyond the count or byte limit delete the oldest messages. */
    boolean dropsOldest() {
        return options.whenFull() == ChannelOptions.WhenFull.DROP_OLDEST
                && (options.maxMessages() != Long.MAX_VALUE || options.maxBytes() != Long.MAX_VALUE);
    }

    /** Whether the committed messages exceed the count or byte limit, which drops the oldest: a trim is due. */
    boolean overLimit() {
        return dropsOldest() && (index.count() > options.maxMessages() || index.bytes() > options.maxBytes());
    }

    /** Messages the log holds: stored or being stored, not trimmed. */
    long held() {
        return index.count() + (lastSeq - committedSeq);
    }

    /**
     * Whether publish {@code p} must be refused: the log rejects when full, and storing it would take the log beyond
     * its message or byte limit. Counted if so.
     */
    ChannelFullException refuses(PendingSend p) {
        if (options.whenFull() == ChannelOptions.WhenFull.DROP_OLDEST) return null; // BLOCK waited before it came
        long bytes = index.bytes() + uncommittedBytes + p.payload().length;
        if (held() + 1 <= options.maxMessages() && bytes <= options.maxBytes()) return null;
        rejected++;
        return new ChannelFullException("channel " + name + " is full: it holds " + held() + " messages of "
                + options.maxMessages() + " and " + (index.bytes() + uncommittedBytes) + " payload bytes of "
                + options.maxBytes() + ", and rejects publishes when full");
    }

    /** {messages, payload bytes} the log holds or will: {@link #held()} and the publishes queued for a batch. */
    long[] heldWithPending() {
        return new long[] {held() + pending.size(), index.bytes() + uncommittedBytes + pendingBytes};
    }

    long rejected() {
        return rejected;
    }

    long published() {
        return published;
    }

    /** Reader {@code r} settled one more DROPPED marker: a message retention deleted before it took it. */
    void missedBy(NodeId r) {
        missed.merge(r, 1L, Long::sum);
    }

    long missed(NodeId r) {
        return missed.getOrDefault(r, 0L);
    }

    long committedSeq() {
        return committedSeq;
    }

    long trimmedSeq() {
        return trimmedSeq;
    }

    /** The lowest position a new reader may start after: everything at or below it may be deleted already. */
    long startFloor() {
        return Math.max(trimmedSeq, trimWritten);
    }

    // ---- publishes ------------------------------------------------------------------------------------

    void queue(PendingSend p) {
        pending.add(p);
        pendingBytes += p.payload().length;
    }

    int pendingCount() {
        return pending.size();
    }

    PendingSend nextPending() {
        PendingSend p = pending.poll();
        if (p != null) pendingBytes -= p.payload().length;
        return p;
    }

    /** Numbers {@code p} as the log's next message, published at {@code now}: the row to store, once. */
    ChannelMessage number(PendingSend p, long now) {
        long seq = ++lastSeq;
        uncommittedBytes += p.payload().length;
        // The checksum is computed once, over the lane every reader's stream uses: the same for every reader.
        long checksum = MessageChecksum.of(lane, seq, p.expiresAt(), p.headers(), p.payload());
        return new ChannelMessage(name, seq, now, p.expiresAt(), p.headers(), p.payload(), checksum);
    }

    /**
     * {@code m}, published by this process, is durable: it enters the window if it continues it, and every reader
     * stream's {@code committedSeq} advances. Returns the message as the streams see it.
     */
    StoredMessage committed(ChannelMessage m) {
        committedSeq = m.seq();
        published++;
        uncommittedBytes -= m.payload().length;
        index.add(m.seq(), m.payload().length, m.publishedAtMillis());
        StoredMessage sm = asStored(m);
        if (window.isEmpty()) window.resetTo(m.seq()); // readers at the head read it from here on
        if (m.seq() == window.nextSeq()) {
            window.add(sm, FrameCodec.messageSize(sm.headers(), sm.payload().length), StreamLevels.of(sm.headers()));
            bound();
        }
        for (OutStream r : readers.values()) r.committed(sm, -1, 0);
        return sm;
    }

    /** The batches holding every number after {@code committedSeq} failed: those numbers are free again. */
    void appendsFailed() {
        lastSeq = committedSeq;
        uncommittedBytes = 0;
    }

    /** A row of the log as its reader streams see it: a message on the log's lane (its recipient is this node). */
    StoredMessage asStored(ChannelMessage m) {
        return new StoredMessage(self, lane, m.seq(), m.expiresAtMillis(), m.headers(), m.payload(), m.checksum());
    }

    // ---- the window -----------------------------------------------------------------------------------

    /** The window: the log's messages the readers share. */
    OutRing window() {
        return window;
    }

    boolean holds(long seq) {
        return window.holds(seq);
    }

    /** The last message the window holds, if it holds {@code seq}; else {@code seq - 1}. */
    long lastFrom(long seq) {
        return holds(seq) ? window.nextSeq() - 1 : seq - 1;
    }

    /**
     * A page read from the store for one reader: takes {@code m} into the window, verified, if it continues it (or
     * starts it, when empty) and is committed; returns whether the window took it.
     */
    boolean offer(StoredMessage m) {
        if (m.seq() > committedSeq || m.seq() <= startFloor()) return false;
        if (window.isEmpty() && m.seq() != window.nextSeq()) window.resetTo(m.seq());
        if (m.seq() != window.nextSeq()) return false;
        window.addRead(m, FrameCodec.messageSize(m.headers(), m.payload().length));
        bound();
        return true;
    }

    /** Messages every reader settled leave the window (the cursors moved). */
    void released() {
        long min = committedSeq;
        for (OutStream r : readers.values()) min = Math.min(min, r.settledSeq());
        window.removeUpTo(min);
    }

    private void bound() {
        while (window.size() > windowLimit) window.removeUpTo(window.nextSeq() - window.size());
    }

    int windowSize() {
        return window.size();
    }

    // ---- readers and trims ----------------------------------------------------------------------------

    Collection<OutStream> readers() {
        return readers.values();
    }

    Collection<NodeId> readerIds() {
        return readers.keySet();
    }

    OutStream reader(NodeId reader) {
        return readers.get(reader);
    }

    void attach(OutStream r) {
        readers.put(r.key.peer(), r);
    }

    OutStream detach(NodeId reader) {
        missed.remove(reader);
        return readers.remove(reader);
    }

    /**
     * Where the log may be trimmed now: the lowest reader cursor (settled, its row written with the trim or before);
     * with no reader, everything committed. -1 if that is no further than the last trim written.
     */
    long trimDue(long now) {
        long min = committedSeq;
        for (OutStream r : readers.values()) min = Math.min(min, r.settledSeq());
        dropDecided = Math.max(dropDecided, retentionDue(now));
        min = Math.max(min, dropDecided);
        return min > trimWritten ? min : -1;
    }

    /**
     * How far retention must trim at {@code now}, read or not (0: nothing): by age always; by count and bytes when
     * dropping the oldest, counting the messages being stored, so that the log keeps within its limits once they are.
     */
    private long retentionDue(long now) {
        boolean drop = options.whenFull() == ChannelOptions.WhenFull.DROP_OLDEST;
        return index.dropUpTo(
                drop ? options.maxMessages() : Long.MAX_VALUE,
                drop ? options.maxBytes() : Long.MAX_VALUE,
                options.maxAgeMillis(),
                now,
                lastSeq - committedSeq,
                uncommittedBytes);
    }

    /** Whether the oldest message held is older than the age limit at {@code now}: a trim is due. */
    boolean agedOut(long now) {
        return options.maxAgeMillis() != Long.MAX_VALUE && now - index.oldestAt() >= options.maxAgeMillis();
    }

    /** A trim up to {@code upTo} goes into a batch. */
    void trimWritten(long upTo) {
        trimWritten = Math.max(trimWritten, upTo);
        index.removeUpTo(upTo);
    }

    /**
     * A trim up to {@code upTo} is durable. A reader behind it (retention) no longer gets those messages from the
     * window or its cache: they go to it as DROPPED markers, which it reports missed.
     */
    void trimmed(long upTo) {
        trimmedSeq = Math.max(trimmedSeq, upTo);
        window.removeUpTo(trimmedSeq);
        for (OutStream r : readers.values()) r.logTrimmed(trimmedSeq);
    }

    /** The batches with the trims written since the last durable one failed: they are due again. */
    void trimsFailed() {
        trimWritten = trimmedSeq;
    }

    long messagesInMemory() {
        return window.size() + pending.size();
    }
}
