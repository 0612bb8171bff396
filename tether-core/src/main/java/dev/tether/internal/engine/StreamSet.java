package dev.tether.internal.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An insertion-ordered set of streams whose membership is one bit in the stream itself ({@link Member#marks}):
 * adding, testing and taking members out cost no hashing, so that the work per message does not grow with the
 * number of streams (a hash set of 10,000 streams misses the cache on most operations). Each set of a kind of
 * stream has its own bit. Not thread-safe: the engine's thread only.
 */
final class StreamSet<S extends StreamSet.Member> {
    /** A stream that can belong to sets: it keeps the membership bits, and nothing else touches them. */
    interface Member {
        int marks();

        void marks(int marks);
    }

    private final int bit;
    private ArrayDeque<S> members = new ArrayDeque<>();

    /** A set whose membership is {@code bit} (one bit, distinct from the other sets of the same streams). */
    StreamSet(int bit) {
        if (Integer.bitCount(bit) != 1) throw new IllegalArgumentException("one bit: " + bit);
        this.bit = bit;
    }

    /** Adds {@code s} at the end unless it is a member already (then its place stays). */
    boolean add(S s) {
        int m = s.marks();
        if ((m & bit) != 0) return false;
        s.marks(m | bit);
        members.addLast(s);
        return true;
    }

    /** Takes {@code s} out if it is a member; linear in the set's size (for the rare removal of a stream). */
    boolean remove(S s) {
        int m = s.marks();
        if ((m & bit) == 0) return false;
        s.marks(m & ~bit);
        members.remove(s);
        return true;
    }

    boolean contains(S s) {
        return (s.marks() & bit) != 0;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** The oldest member, taken out; null if the set is empty. */
    S poll() {
        S s = members.pollFirst();
        if (s != null) s.marks(s.marks() & ~bit);
        return s;
    }

    /**
     * Takes every member out, oldest first: the set is empty afterwards, and a stream added while the caller works
     * through the list is a member again (once), as with {@code new ArrayList<>(set); set.clear()}.
     */
    List<S> drain() {
        if (members.isEmpty()) return List.of();
        ArrayDeque<S> taken = members;
        members = new ArrayDeque<>(Math.max(16, taken.size()));
        List<S> l = new ArrayList<>(taken.size());
        for (S s : taken) {
            s.marks(s.marks() & ~bit);
            l.add(s);
        }
        return l;
    }
}
