package dev.tether.bus;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern a {@link Match} field is compared with: {@linkplain #exact exact}, {@linkplain #prefix prefix} or a
 * {@linkplain #regex regular expression} ({@code java.util.regex}, matched against the whole value). A value, compared
 * by type and text; immutable. It is checked when it is put into a {@link Match}, which names the field in the {@link
 * InvalidRuleException}.
 */
public final class TextPattern {
    /** Longest pattern text, in characters. */
    public static final int MAX_LENGTH = 512;

    /** How the text is compared. */
    public enum Type {
        /** The value equals the text. */
        EXACT,
        /** The value starts with the text. */
        PREFIX,
        /**
         * The whole value matches the text as a regular expression ({@code Matcher.matches()}, not {@code find()});
         * a match that reads more than 100,000 characters of the value is abandoned as not matching and counted as
         * an error of its rule.
         */
        REGEX
    }

    private final Type type;
    private final String text;

    private TextPattern(Type type, String text) {
        this.type = type;
        this.text = Objects.requireNonNull(text, "pattern text");
    }

    /** Values equal to {@code text}. */
    public static TextPattern exact(String text) {
        return new TextPattern(Type.EXACT, text);
    }

    /** Values starting with {@code text}. */
    public static TextPattern prefix(String text) {
        return new TextPattern(Type.PREFIX, text);
    }

    /** Values the regular expression {@code text} matches as a whole. */
    public static TextPattern regex(String text) {
        return new TextPattern(Type.REGEX, text);
    }

    /**
     * Parses {@link #toString()}'s form: {@code exact:TEXT}, {@code prefix:TEXT} or {@code regex:TEXT}; text without
     * one of these prefixes is exact.
     */
    public static TextPattern parse(String s) {
        Objects.requireNonNull(s, "pattern");
        for (Type t : Type.values()) {
            String p = t.name().toLowerCase(Locale.ROOT) + ":";
            if (s.startsWith(p)) return new TextPattern(t, s.substring(p.length()));
        }
        return exact(s);
    }

    public Type type() {
        return type;
    }

    public String text() {
        return text;
    }

    /** What is wrong with this pattern, or null if nothing: empty, too long, or a regex that does not compile. */
    String problem() {
        if (text.isEmpty()) return "empty " + name() + " pattern";
        if (text.length() > MAX_LENGTH) {
            return name() + " pattern of " + text.length() + " characters, more than " + MAX_LENGTH;
        }
        if (type == Type.REGEX) {
            try {
                Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                return "regex does not compile: " + e.getDescription() + " at index " + e.getIndex();
            } catch (StackOverflowError e) { // a deeply nested pattern: refused, the caller's thread survives
                return "regex too deeply nested to compile";
            }
        }
        return null;
    }

    private String name() {
        return type.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextPattern p && p.type == type && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + text.hashCode();
    }

    /** {@code exact:TEXT}, {@code prefix:TEXT} or {@code regex:TEXT} ({@link #parse}). */
    @Override
    public String toString() {
        return name() + ":" + text;
    }
}
