package dev.tether.internal.engine;

import dev.tether.spi.StoredMessage;
import java.util.Arrays;

/**
 * The sends a store batch appends, in order: for each, its stream, the send and the message it was numbered as, in
 * three parallel arrays. A stream's sends in a row form one run ({@link #runEnd}); a stream may have several runs in
 * one batch (streams take turns of {@link Senders#QUANTUM}).
 *
 * <p>Why flat arrays and not an object with two lists per stream: with thousands of streams each sending about one
 * message per batch, a record and two lists (five objects, about 120 bytes) per stream were made for every message;
 * here a batch makes three arrays, sized up front for the sends it takes ({@link #reserve}). The engine's thread
 * only.
 */
final class BatchAppends {
    private static final OutStream[] NO_STREAMS = {};
    private static final PendingSend[] NO_SENDS = {};
    private static final StoredMessage[] NO_MESSAGES = {};

    private OutStream[] streams = NO_STREAMS;
    private PendingSend[] sends = NO_SENDS;
    private StoredMessage[] stored = NO_MESSAGES;
    private int size;

    /** Makes room for {@code more} appends beyond those held, at once. */
    void reserve(int more) {
        int need = size + more;
        if (need <= streams.length) return;
        int n = Math.max(need, Math.min(streams.length * 2, Integer.MAX_VALUE - 8));
        streams = Arrays.copyOf(streams, n);
        sends = Arrays.copyOf(sends, n);
        stored = Arrays.copyOf(stored, n);
    }

    /** {@code p} of {@code s} appended as {@code m}. */
    void add(OutStream s, PendingSend p, StoredMessage m) {
        if (size == streams.length) reserve(Math.max(4, size));
        streams[size] = s;
        sends[size] = p;
        stored[size] = m;
        size++;
    }

    int size() {
        return size;
    }

    OutStream stream(int i) {
        return streams[i];
    }

    PendingSend send(int i) {
        return sends[i];
    }

    StoredMessage stored(int i) {
        return stored[i];
    }

    /** The end (exclusive) of the run of the stream of append {@code from}: the next append of another stream. */
    int runEnd(int from) {
        OutStream s = streams[from];
        int i = from + 1;
        while (i < size && streams[i] == s) i++;
        return i;
    }
}
