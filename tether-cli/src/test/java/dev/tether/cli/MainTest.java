package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's main command: the demo must pass its own verdict, and bad options must be named. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void demoWithFaultsAndCrashesPasses() {
        int rc = run("demo", "--nodes", "3", "--messages", "400", "--seed", "7", "--crashes", "2");
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("lost                   : 0", "out of order           : 0", "VERDICT: PASS");
        assertThat(rc).isZero();
    }

    @Test
    void badOptionsAreNamed() {
        assertThat(run("demo", "--nodes", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--nodes must be in 2..16, was 1");
        assertThat(run("demo", "--drop", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--drop expects a probability, got 'x'");
        assertThat(run("demo", "--frobnicate", "1")).isEqualTo(2);
        assertThat(run("nope")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'nope'");
    }
}
