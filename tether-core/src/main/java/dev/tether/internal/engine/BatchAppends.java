package dev.tether.internal.engine;

import dev.tether.spi.StoredMessage;
import java.util.Arrays;

/**
 * The sends a store batch appends, in order: for each, its stream, the message it was numbered as, and what the commit
 * needs of the send (its token, encoded size and level), in parallel arrays. A stream's sends in a row form one run; a
 * stream may have several runs in one batch (streams take turns of {@link Senders#QUANTUM}).
 *
 * <p>Why flat arrays and not an object with two lists per stream: with thousands of streams each sending about one
 * message per batch, a record and two lists (five objects, about 120 bytes) per stream were made for every message;
 * here a batch makes its arrays, sized up front for the sends it takes ({@link #reserve}). And why the send's fields
 * and not the send ({@link PendingSend}): the commit, a turn later, then reads no send object (one cache miss per
 * message fewer on the node thread), and the send is garbage once numbered rather than kept until its batch commits.
 * The engine's thread only.
 */
final class BatchAppends {
    private static final OutStream[] NO_STREAMS = {};
    private static final StoredMessage[] NO_MESSAGES = {};
    private static final long[] NO_TOKENS = {};
    private static final int[] NO_SIZES = {};
    private static final byte[] NO_LEVELS = {};

    private OutStream[] streams = NO_STREAMS;
    private StoredMessage[] stored = NO_MESSAGES;
    /** The sends' tokens ({@link PendingSend#token}). */
    private long[] tokens = NO_TOKENS;
    /** The sends' encoded sizes ({@link PendingSend#size}). */
    private int[] sizes = NO_SIZES;
    /** The sends' priority levels ({@link PendingSend#level}, 0-7). */
    private byte[] levels = NO_LEVELS;

    private int size;

    /**
     * Arrays of at most this many appends are kept for reuse ({@link #keptForReuse}): about 1.4 MB, so a burst does not
     * leave an idle node holding a large batch's arrays.
     */
    static final int MAX_KEPT = 1 << 16;

    /**
     * Makes room for {@code more} appends beyond those held, at once: for a power of two of them, so that the next
     * batches, which take what waits then (as many or a few more), mostly fit the arrays this one lends them.
     */
    void reserve(int more) {
        int need = size + more;
        if (need <= streams.length) return;
        int n = need >= 1 << 30 ? Integer.MAX_VALUE - 8 : Math.max(16, Integer.highestOneBit(need - 1) << 1);
        streams = Arrays.copyOf(streams, n);
        stored = Arrays.copyOf(stored, n);
        tokens = Arrays.copyOf(tokens, n);
        sizes = Arrays.copyOf(sizes, n);
        levels = Arrays.copyOf(levels, n);
    }

    /**
     * Empty, takes the arrays of {@code spare} (an earlier batch's, {@link #clear}ed) if they hold {@code more}: a
     * steady flow of batches then allocates no arrays per batch (about 21 bytes per message otherwise).
     */
    void reuse(BatchAppends spare, int more) {
        if (size != 0 || spare.streams.length < more || spare.streams.length <= streams.length) return;
        streams = spare.streams;
        stored = spare.stored;
        tokens = spare.tokens;
        sizes = spare.sizes;
        levels = spare.levels;
        spare.streams = NO_STREAMS;
        spare.stored = NO_MESSAGES;
        spare.tokens = NO_TOKENS;
        spare.sizes = NO_SIZES;
        spare.levels = NO_LEVELS;
    }

    /**
     * Lets go of every append (the streams and messages it refers to), keeping the arrays for {@link #reuse}; whether
     * they are worth keeping (at most {@link #MAX_KEPT} appends).
     */
    boolean keptForReuse() {
        Arrays.fill(streams, 0, size, null);
        Arrays.fill(stored, 0, size, null);
        size = 0;
        return streams.length <= MAX_KEPT;
    }

    /** {@code p} of {@code s} appended as {@code m}. */
    void add(OutStream s, PendingSend p, StoredMessage m) {
        if (size == streams.length) reserve(Math.max(4, size));
        streams[size] = s;
        stored[size] = m;
        tokens[size] = p.token();
        sizes[size] = p.size();
        levels[size] = (byte) p.level();
        size++;
    }

    int size() {
        return size;
    }

    OutStream stream(int i) {
        return streams[i];
    }

    StoredMessage stored(int i) {
        return stored[i];
    }

    /** The token of send {@code i} ({@link Senders#EFFECT} for an effect's). */
    long token(int i) {
        return tokens[i];
    }

    /** The encoded size of send {@code i} ({@link PendingSend#size}). */
    int sendSize(int i) {
        return sizes[i];
    }

    /** The priority level of send {@code i} ({@link PendingSend#level}). */
    int level(int i) {
        return levels[i];
    }
}
