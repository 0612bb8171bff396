package dev.tether.internal.engine;

import dev.tether.spi.MessageChecksum;

/**
 * Finishes checksums computed without their sequence numbers ({@link MessageChecksum#withoutSeq}) as {@link
 * MessageChecksum#withSeq} does, by table for the factors that recur: the numbering of every message sent runs it.
 *
 * <p>The model: {@code withSeq(w, seq)} is {@code w}'s low 32 bits XOR {@code g(seq)}, where {@code g} (the CRC
 * register of {@code seq}'s 8 bytes carried past the {@code n} bytes after them by multiplication with {@code w}'s
 * factor {@code x^(8n) mod P}) is linear over GF(2) in {@code seq}'s bits, and depends on the message only through that
 * factor. So for one factor, {@code g} is the XOR of one table entry per byte of {@code seq}: 8 tables of 256, built
 * from {@code g} of the 64 single bits. Messages of one size share a factor (a bus's messages mostly have one or a
 * few sizes), so with a table a sequence number costs a lookup per non-zero byte (2 or 3) instead of the bytes' CRC
 * and a bit-serial multiplication of 32 steps (about a tenth of the node thread's time per local message).
 *
 * <p>A table (8 KiB) is built only for a factor that a slot saw {@link #BUILD_AFTER} times in a row: a mix of sizes
 * never seen twice in a row costs {@link MessageChecksum#withSeq} and a comparison, not a build per message. Slots
 * are direct-mapped by factor. Not thread-safe: the engine's thread only.
 */
final class SeqChecksums {
    /** Slots for factors (a power of two). */
    private static final int SLOTS = 8;
    /** Misses in a row of one factor in its slot after which its table is built. */
    static final int BUILD_AFTER = 16;

    private final int[] factors = new int[SLOTS];
    /** The tables of {@link #factors}: entry {@code (k << 8) | b} is {@code g} of byte {@code k} (from the low) {@code b}. */
    private final int[][] tables = new int[SLOTS][];
    /** The factor each slot missed last, and how many times in a row. */
    private final int[] candidates = new int[SLOTS];

    private final int[] misses = new int[SLOTS];
    /** Tables built so far, for tests. */
    private int built;

    /** {@link MessageChecksum#withSeq}{@code (withoutSeq, seq)}. */
    long withSeq(long withoutSeq, long seq) {
        int factor = (int) (withoutSeq >>> 32);
        int slot = slotOf(factor);
        int[] t = tables[slot];
        if (t == null || factors[slot] != factor) {
            t = missed(slot, factor);
            if (t == null) return MessageChecksum.withSeq(withoutSeq, seq); // checks the factor, too
        }
        int g = 0;
        for (int k = 0; seq != 0; k += 256, seq >>>= 8) g ^= t[k | ((int) seq & 0xff)];
        return (withoutSeq ^ g) & 0xffff_ffffL;
    }

    /** Tables built so far. */
    int built() {
        return built;
    }

    private static int slotOf(int factor) {
        int h = factor * 0x9E37_79B9;
        return h >>> (32 - Integer.numberOfTrailingZeros(SLOTS));
    }

    /** {@code factor} missed in {@code slot}: its table once it recurs enough, else null. */
    private int[] missed(int slot, int factor) {
        if (factor == 0) return null; // not a value of withoutSeq: MessageChecksum says so
        if (candidates[slot] != factor) {
            candidates[slot] = factor;
            misses[slot] = 1;
            return null;
        }
        if (++misses[slot] < BUILD_AFTER) return null;
        int[] t = table(factor);
        tables[slot] = t;
        factors[slot] = factor;
        candidates[slot] = 0;
        built++;
        return t;
    }

    /** The 8 tables of {@code factor}: each entry the XOR of {@code g} of its bits, filled from lower entries. */
    private static int[] table(int factor) {
        long w = (long) factor << 32; // withSeq(w, seq) is g(seq): w's low 32 bits are 0
        int[] t = new int[8 * 256];
        for (int k = 0; k < 8; k++) {
            int base = k << 8;
            for (int bit = 0; bit < 8; bit++) {
                int g = (int) MessageChecksum.withSeq(w, 1L << (8 * k + bit));
                int one = 1 << bit;
                for (int b = 0; b < one; b++) t[base | one | b] = t[base | b] ^ g;
            }
        }
        return t;
    }
}
