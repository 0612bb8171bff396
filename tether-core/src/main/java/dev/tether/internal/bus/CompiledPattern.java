package dev.tether.internal.bus;

import dev.tether.bus.TextPattern;
import java.util.regex.Pattern;

/**
 * A {@link TextPattern} ready to match: a regular expression compiled once, when its rule is installed, and run over
 * {@link CountedChars}. Immutable, thread-safe.
 */
final class CompiledPattern {
    /** {@link #match}: the value matches. */
    static final int YES = 1;
    /** {@link #match}: it does not. */
    static final int NO = 0;
    /** {@link #match}: the regex spent its budget (or overflowed the stack) and was abandoned: not a match. */
    static final int ABANDONED = -1;

    private final TextPattern.Type type;
    private final String text;
    private final Pattern regex;
    /**
     * Characters every value a regex matches starts with (null if it cannot tell): checked first, so most values are
     * refused without running the regex.
     */
    private final String literalPrefix;

    CompiledPattern(TextPattern p) {
        this.type = p.type();
        this.text = p.text();
        this.regex = type == TextPattern.Type.REGEX ? Pattern.compile(text) : null;
        this.literalPrefix = regex == null ? null : literalPrefix(text);
    }

    /**
     * The plain characters {@code regex} starts with, which every match starts with, or null: none, or an alternation
     * anywhere (it may end the prefix's scope). A character followed by a quantifier is left out (it may repeat or be
     * absent).
     */
    static String literalPrefix(String regex) {
        if (regex.indexOf('|') >= 0) return null;
        int n = 0;
        while (n < regex.length() && "\\^$.|?*+()[]{}".indexOf(regex.charAt(n)) < 0) n++;
        if (n < regex.length() && "?*+{".indexOf(regex.charAt(n)) >= 0) n--;
        return n <= 0 ? null : regex.substring(0, n);
    }

    /** The text an exact pattern equals, or null if this is a prefix or a regex. */
    String exactText() {
        return type == TextPattern.Type.EXACT ? text : null;
    }

    /** Null for null (a field not constrained). */
    static CompiledPattern of(TextPattern p) {
        return p == null ? null : new CompiledPattern(p);
    }

    /** {@link #YES}, {@link #NO} or {@link #ABANDONED}; a null value (the message has no such field) never matches. */
    int match(String value) {
        if (value == null) return NO;
        switch (type) {
            case EXACT:
                return value.equals(text) ? YES : NO;
            case PREFIX:
                return value.startsWith(text) ? YES : NO;
            default:
                if (literalPrefix != null && !value.startsWith(literalPrefix)) return NO;
                try {
                    return regex.matcher(new CountedChars(value)).matches() ? YES : NO;
                } catch (StackOverflowError e) { // java.util.regex recurses per repetition on some patterns
                    return ABANDONED;
                } catch (RuntimeException e) {
                    if (e == CountedChars.SPENT) return ABANDONED;
                    throw e;
                }
        }
    }
}
