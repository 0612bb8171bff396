package dev.tether.internal.bus;

/**
 * A character sequence that counts the characters a regular expression reads from it and stops the match once it
 * has read {@link #BUDGET} of them (docs/BUS-DESIGN.md, section 2.2): a catastrophic pattern costs one message a
 * bounded number of steps, never a thread forever, and the bound is a count, not a clock, so the outcome is the same
 * on every run. One per match; not thread-safe.
 */
final class CountedChars implements CharSequence {
    /** Most {@code charAt} calls one match may make. */
    static final int BUDGET = 100_000;

    /** Thrown through the regex engine when the budget is spent; shared, without a stack trace. */
    static final RuntimeException SPENT = new RuntimeException("regex budget spent", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    private final String text;
    private final int offset;
    private final int length;
    private final int[] spent; // shared by sub-sequences: one budget per match

    CountedChars(String text) {
        this(text, 0, text.length(), new int[1]);
    }

    private CountedChars(String text, int offset, int length, int[] spent) {
        this.text = text;
        this.offset = offset;
        this.length = length;
        this.spent = spent;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (++spent[0] > BUDGET) throw SPENT;
        return text.charAt(offset + index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > length || start > end) throw new IndexOutOfBoundsException(start + ".." + end);
        return new CountedChars(text, offset + start, end - start, spent);
    }

    /** How many characters were read so far. */
    int spent() {
        return spent[0];
    }

    @Override
    public String toString() {
        return text.substring(offset, offset + length);
    }
}
