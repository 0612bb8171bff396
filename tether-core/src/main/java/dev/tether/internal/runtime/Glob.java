package dev.tether.internal.runtime;

/**
 * Glob matching where {@code *} stands for any run of characters (no other wildcard), in time linear in the product of
 * the lengths: patterns come from the configuration, but the text is often a connecting peer's id, so a pattern with
 * many stars must not make a hostile id cost exponential time on the node thread (a recursive matcher tried every
 * split of the id per star). The classic two-pointer algorithm: on a mismatch it goes back only to the last star,
 * which then takes one more character; earlier stars never need to take more, since the last star can take anything
 * they would.
 */
public final class Glob {
    private Glob() {}

    /** Whether {@code text} matches {@code pattern} as a whole. */
    public static boolean matches(String pattern, String text) {
        return matches(pattern, text, null);
    }

    /** As {@link #matches(String, String)}, counting the comparisons in {@code steps[0]} if not null (for tests). */
    static boolean matches(String pattern, String text, long[] steps) {
        int p = 0, t = 0;
        int star = -1, starText = 0; // the last star seen, and where in the text its run ends now
        while (t < text.length()) {
            if (steps != null) steps[0]++;
            char c = p < pattern.length() ? pattern.charAt(p) : 0;
            if (c == '*') {
                star = p++;
                starText = t; // the star takes nothing so far
            } else if (p < pattern.length() && c == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1; // the last star takes one more character
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') p++;
        return p == pattern.length();
    }
}
