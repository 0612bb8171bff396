package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's "Using it as a library" example cannot drift from the code: its code block must equal the marked
 * region of {@link ReadmeExample} (compiled with the tests), and that class, run as a program, must work.
 */
class ReadmeExampleTest {
    /** Surefire runs tests in the module directory. */
    private static final Path README = Path.of("..", "README.md");

    private static final Path EXAMPLE = Path.of("src", "test", "java", "dev", "tether", "cli", "ReadmeExample.java");
    private static final String HEADING = "## Using it as a library";
    private static final String BEGIN = "// README.md example begin";
    private static final String END = "// README.md example end";

    @TempDir
    Path dir;

    @Test
    void readmeShowsTheCompiledExampleVerbatim() throws IOException {
        String readme = String.join("\n", readmeBlock(Files.readAllLines(README)));
        String compiled = String.join("\n", markedRegion(Files.readAllLines(EXAMPLE)));

        assertThat(readme)
                .as(
                        "README.md's ```java block under '%s' must be the region of %s between '%s' and '%s'"
                                + " (dedented): change both together",
                        HEADING, EXAMPLE, BEGIN, END)
                .isEqualTo(compiled);
    }

    @Test
    void exampleRunsAndKeepsItsStoresInTheWorkingDirectory() {
        try (ChildJvm child =
                ChildJvm.builder(ReadmeExample.class).workingDirectory(dir).start()) {
            assertThat(child.awaitExit(Duration.ofSeconds(120)))
                    .as("exit status of " + child)
                    .isZero();
            assertThat(child.lines()).contains("a #1: hello", "outcome PROCESSED", "b drained true");
        }
        assertThat(dir.resolve("tether-a.db")).exists();
        assertThat(dir.resolve("tether-b.db")).exists();
    }

    /** The lines of the first ```java block after {@link #HEADING}. */
    static List<String> readmeBlock(List<String> readme) {
        int heading = readme.indexOf(HEADING);
        assertThat(heading).as("README.md has the heading '%s'", HEADING).isNotNegative();
        int open = indexOf(readme, "```java", heading);
        int close = indexOf(readme, "```", open + 1);
        assertThat(open).as("a ```java block after '%s'", HEADING).isPositive();
        assertThat(close).as("the end of that block").isPositive();
        return readme.subList(open + 1, close);
    }

    /** The lines strictly between {@link #BEGIN} and {@link #END}, without their common indentation. */
    static List<String> markedRegion(List<String> source) {
        int begin = indexOf(source, BEGIN, 0);
        int end = indexOf(source, END, begin + 1);
        assertThat(begin).as("'%s' in %s", BEGIN, EXAMPLE).isNotNegative();
        assertThat(end).as("'%s' in %s", END, EXAMPLE).isPositive();
        List<String> region = source.subList(begin + 1, end);
        int indent = region.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        List<String> dedented = new ArrayList<>();
        for (String l : region) dedented.add(l.isBlank() ? "" : l.substring(indent));
        return dedented;
    }

    /** Index of the first line from {@code from} on that equals {@code line} once trimmed, or -1. */
    private static int indexOf(List<String> lines, String line, int from) {
        for (int i = Math.max(0, from); i < lines.size(); i++) {
            if (lines.get(i).trim().equals(line)) return i;
        }
        return -1;
    }
}
