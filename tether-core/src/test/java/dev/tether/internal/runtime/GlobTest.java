package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The glob matcher ({@code *}: any run of characters) of allow-lists, channel access and stream rules: the same
 * answers as a regular expression on random patterns and texts (seeded, the seed printed), and at most (pattern length
 * + 1) * (text length + 1) steps on inputs where a recursive matcher takes exponential time.
 */
class GlobTest {
    @Test
    void matchesWholeTextsWithStarsForAnyRun() {
        assertThat(Glob.matches("a", "a")).isTrue();
        assertThat(Glob.matches("a", "ab")).isFalse();
        assertThat(Glob.matches("", "")).isTrue();
        assertThat(Glob.matches("", "a")).isFalse();
        assertThat(Glob.matches("*", "")).isTrue();
        assertThat(Glob.matches("**", "x")).isTrue();
        assertThat(Glob.matches("a*", "a")).isTrue();
        assertThat(Glob.matches("*a", "ba")).isTrue();
        assertThat(Glob.matches("*a", "ab")).isFalse();
        assertThat(Glob.matches("a*b*c", "aXbYbZc")).isTrue();
        assertThat(Glob.matches("a*b*c", "aXbYbZ")).isFalse();
        assertThat(Glob.matches("*-eu-*", "node-eu-3")).isTrue();
    }

    @Test
    void answersAsARegularExpressionDoesOnRandomInputs() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("GlobTest seed " + seed + " (-Dtether.seed=" + seed + " repeats it)");
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            String pattern = random(r, "ab*", r.nextInt(8));
            String text = random(r, "ab", r.nextInt(10));
            boolean expected = Pattern.matches(pattern.replace("*", ".*"), text);
            assertThat(Glob.matches(pattern, text))
                    .as("'%s' against '%s' (seed %d)", pattern, text, seed)
                    .isEqualTo(expected);
        }
    }

    @Test
    void takesAtMostTheProductOfTheLengthsInSteps() {
        String text = "a".repeat(64);
        for (String pattern : new String[] {
            "*a*a*a*a*a*a*a*a*b",
            "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
            "*b",
            "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ac"
        }) {
            long[] steps = {0};
            assertThat(Glob.matches(pattern, text, steps)).isFalse();
            assertThat(steps[0])
                    .as("steps for '%s'", pattern)
                    .isLessThanOrEqualTo((long) (pattern.length() + 1) * (text.length() + 1));
        }
    }

    private static String random(Random r, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }
}
