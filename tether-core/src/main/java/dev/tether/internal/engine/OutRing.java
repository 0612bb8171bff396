package dev.tether.internal.engine;

import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import java.util.Arrays;

/**
 * Cached outbox messages with consecutive sequence numbers {@code first..last}, each with the checksum it goes out
 * with, its priority level, its encoded size and how often it was transmitted, in two parallel circular arrays (the
 * messages, and one {@code long} per message packing its size, flags and transmissions): O(1) append at the end,
 * lookup by sequence number and removal from either end. The engine's thread only.
 *
 * <p>Why arrays and not an object per message: every message sent and not yet acknowledged is here, up to hundreds of
 * thousands per node, and a young collection copies each live object one by one; a slot here costs 12 bytes in two
 * arrays beside the stored message itself, where an object of its own cost 48 bytes and one more object to copy.
 *
 * <p>A message read back from the store is verified ({@link #addRead}): if it no longer matches its stored checksum
 * it is {@link #corrupt} and goes out marked so, with a checksum over the bytes as read (the wire stays verified); an
 * {@code UNCHECKED} row (stored before checksums) goes out with one computed when read. Only such messages, and
 * compressed ones, use the arrays made on first need.
 */
final class OutRing {
    /** The slots of a ring's first arrays (the next message after an idle time makes them again). */
    static final int FIRST_SIZE = 4;

    private static final int LEVEL_BITS = 0x7;
    private static final int CORRUPT = 0x8;
    private static final int KEPT_PLAIN = 0x10;
    /** Its checksum is in {@link #checksums}, not the stored message's. */
    private static final int OWN_CHECKSUM = 0x20;

    /** A slot's {@link #meta}: its encoded size in bits 0-31, its flags in bits 32-39, its transmissions above. */
    private static final int FLAGS_SHIFT = 32;

    private static final int TRANSMISSIONS_SHIFT = 40;
    /** Transmissions are counted up to this (2^24 - 1) and stay there. */
    private static final long MAX_TRANSMISSIONS = (1L << (64 - TRANSMISSIONS_SHIFT)) - 1;

    private static final StoredMessage[] NO_MESSAGES = {};
    private static final long[] NO_LONGS = {};

    // Empty until the first message: most streams are idle, and an idle one holds no arrays (compact).
    private StoredMessage[] stored = NO_MESSAGES;
    /** Per slot: size, flags and transmissions ({@link #FLAGS_SHIFT}, {@link #TRANSMISSIONS_SHIFT}). */
    private long[] meta = NO_LONGS;
    /** Checksums that differ from the stored message's; null until one does. */
    private long[] checksums;
    /** Compressed forms ({@link WireCompression#forPeer}); null until one is made. */
    private WireCompression.Compressed[] compressed;

    private int head;
    private int size;
    private long firstSeq = 1;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Slots its arrays have; for tests of what an idle ring holds. */
    int capacity() {
        return stored.length;
    }

    /** The sequence number the next message added must carry. */
    long nextSeq() {
        return firstSeq + size;
    }

    /** Empties the ring; the next message added will be {@code seq}. */
    void resetTo(long seq) {
        Arrays.fill(stored, null);
        if (compressed != null) Arrays.fill(compressed, null);
        head = 0;
        size = 0;
        firstSeq = seq;
    }

    /**
     * Adds {@code m}, numbered by this process (its checksum computed then), of encoded size {@code size} and priority
     * {@code level} ({@link StreamLevels#of} its headers).
     */
    void add(StoredMessage m, int size, int level) {
        put(m, size, level, m.checksum(), false);
    }

    /**
     * Adds {@code m}, read back from the store, of encoded size {@code size}, verified against its stored checksum;
     * returns whether it is corrupt (no longer matches it).
     */
    boolean addRead(StoredMessage m, int size) {
        long actual = MessageChecksum.of(m.lane(), m.seq(), m.expiresAtMillis(), m.headers(), m.payload());
        boolean corrupt = m.checksum() != MessageChecksum.UNCHECKED && m.checksum() != actual;
        put(m, size, StreamLevels.of(m.headers()), actual, corrupt);
        return corrupt;
    }

    private void put(StoredMessage m, int size, int level, long checksum, boolean corrupt) {
        if (m.seq() != nextSeq()) throw new IllegalStateException("expected seq " + nextSeq() + ", got " + m.seq());
        if (this.size == stored.length) grow();
        int i = (head + this.size) & (stored.length - 1);
        int f = level & LEVEL_BITS;
        if (corrupt) f |= CORRUPT;
        if (checksum != m.checksum()) {
            if (checksums == null) checksums = new long[stored.length];
            checksums[i] = checksum;
            f |= OWN_CHECKSUM;
        }
        stored[i] = m;
        meta[i] = (size & 0xFFFF_FFFFL) | ((long) f << FLAGS_SHIFT);
        if (compressed != null) compressed[i] = null;
        this.size++;
    }

    private int flags(int i) {
        return (int) (meta[i] >>> FLAGS_SHIFT) & 0xFF;
    }

    /** The slot of {@code seq}, or -1 if it is not held. */
    private int slot(long seq) {
        long i = seq - firstSeq;
        if (i < 0 || i >= size) return -1;
        return (int) ((head + i) & (stored.length - 1));
    }

    private int held(long seq) {
        int i = slot(seq);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "message " + seq + " is not held (" + firstSeq + ".." + (nextSeq() - 1) + ")");
        }
        return i;
    }

    /** Whether message {@code seq} is held. */
    boolean holds(long seq) {
        return slot(seq) >= 0;
    }

    /** Message {@code seq}, or null if it is not held. */
    StoredMessage stored(long seq) {
        int i = slot(seq);
        return i < 0 ? null : stored[i];
    }

    /** The checksum message {@code seq} goes out with (held). */
    long checksum(long seq) {
        int i = held(seq);
        return (flags(i) & OWN_CHECKSUM) != 0 ? checksums[i] : stored[i].checksum();
    }

    /** Whether held message {@code seq} no longer matched its stored checksum when read. */
    boolean corrupt(long seq) {
        return (flags(held(seq)) & CORRUPT) != 0;
    }

    /** The priority level of held message {@code seq} ({@link StreamLevels#of}). */
    int level(long seq) {
        return flags(held(seq)) & LEVEL_BITS;
    }

    /** The encoded size of held message {@code seq} ({@link FrameCodec#messageSize}), as a page counts it. */
    int bytes(long seq) {
        return (int) meta[held(seq)];
    }

    /** How often held message {@code seq} was transmitted by this process (counted up to 2^24 - 1). */
    int transmissions(long seq) {
        return (int) (meta[held(seq)] >>> TRANSMISSIONS_SHIFT);
    }

    /** Counts a transmission of held message {@code seq}; true if it was transmitted before. */
    boolean transmitted(long seq) {
        int i = held(seq);
        long before = meta[i] >>> TRANSMISSIONS_SHIFT;
        if (before < MAX_TRANSMISSIONS) meta[i] += 1L << TRANSMISSIONS_SHIFT;
        return before > 0;
    }

    /** The compressed form of held message {@code seq}, once made; null before. */
    WireCompression.Compressed compressed(long seq) {
        int i = held(seq);
        return compressed == null ? null : compressed[i];
    }

    /** Keeps {@code z}, the compressed form of held message {@code seq}. */
    void compressed(long seq, WireCompression.Compressed z) {
        int i = held(seq);
        if (compressed == null) compressed = new WireCompression.Compressed[stored.length];
        compressed[i] = z;
    }

    /** Whether compression did not pay for held message {@code seq}: it is sent plain from now on. */
    boolean keptPlain(long seq) {
        return (flags(held(seq)) & KEPT_PLAIN) != 0;
    }

    /** Held message {@code seq} is sent plain from now on. */
    void keepPlain(long seq) {
        meta[held(seq)] |= (long) KEPT_PLAIN << FLAGS_SHIFT;
    }

    /** Removes every message with a sequence number up to {@code seq}. */
    void removeUpTo(long seq) {
        while (size > 0 && firstSeq <= seq) {
            clear(head);
            head = (head + 1) & (stored.length - 1);
            size--;
            firstSeq++;
        }
        if (size == 0 && firstSeq <= seq) firstSeq = seq + 1;
    }

    /** Removes every message with a sequence number from {@code seq} on. */
    void removeFrom(long seq) {
        while (size > 0 && firstSeq + size - 1 >= seq) {
            size--;
            clear((head + size) & (stored.length - 1));
        }
    }

    private void clear(int i) {
        stored[i] = null;
        if (compressed != null) compressed[i] = null;
    }

    /**
     * If empty, lets go of its arrays: an idle stream holds none (the next message makes them again). Kept instead,
     * the smallest (4 slots, 80 bytes) would cost every stream that ever sent that much while idle; in the TCP bench
     * with 10,000 lanes a stream holds several messages at a time, and remaking them (then four arrays of 16 slots)
     * came to about 10 bytes per message.
     */
    void compact() {
        if (size != 0) return;
        stored = NO_MESSAGES;
        meta = NO_LONGS;
        checksums = null;
        compressed = null;
        head = 0;
    }

    private void grow() {
        int tail = Math.min(size, stored.length - head);
        int n = Math.max(FIRST_SIZE, stored.length * 2);
        stored = grown(stored, new StoredMessage[n], tail);
        meta = grown(meta, new long[n], tail);
        if (checksums != null) checksums = grown(checksums, new long[n], tail);
        if (compressed != null) compressed = grown(compressed, new WireCompression.Compressed[n], tail);
        head = 0;
    }

    /**
     * {@code from}'s slots in order from the head into {@code to}, twice as long: two block copies, the first of the
     * {@code tail} slots from the head to the array's end.
     */
    private <A> A grown(A from, A to, int tail) {
        System.arraycopy(from, head, to, 0, tail);
        System.arraycopy(from, 0, to, tail, size - tail);
        return to;
    }
}
