package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tether} command run in the test's JVM through {@link Main#run}, with what it printed kept for the
 * assertions. One run at a time: each run forgets what the one before printed. Not thread-safe.
 */
final class InProcessCli {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs the command with {@code args}; returns its exit code. */
    int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** What the last run printed on standard output. */
    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What the last run printed on standard error. */
    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Runs {@code tether node} on {@code storeDir} with {@code options}: a usage error (exit 2) saying {@code message}. */
    void assertNodeRefuses(Path storeDir, String message, String... options) {
        List<String> args = new ArrayList<>(List.of("node", "--id", "a", "--store-dir", storeDir.toString()));
        args.addAll(List.of(options));
        assertThat(run(args.toArray(String[]::new))).as(err()).isEqualTo(2);
        assertThat(err()).contains(message);
    }
}
