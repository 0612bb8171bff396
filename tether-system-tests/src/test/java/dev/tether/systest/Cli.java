package dev.tether.systest;

import dev.tether.cli.Main;
import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real {@code tether} CLI ({@link Main}) run as a child process, the way an operator runs it; sqlite-jdbc's
 * native library is cached under {@code target/}, not in the user's home.
 */
final class Cli {
    static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String CACHE =
            "-Dtether.cache.dir=" + Path.of("target", "tether-cache").toAbsolutePath();

    private Cli() {}

    /** Starts {@code tether <args>}; its output is logged under {@code logDir}. */
    static ChildJvm start(Path logDir, String name, String... args) {
        return ChildJvm.builder(Main.class)
                .name(name)
                .heap("128m")
                .logDir(logDir)
                .jvmOptions(CACHE)
                .args(args)
                .start();
    }

    /** Starts {@code tether node <args>} and waits for its {@code ready} line. */
    static ChildJvm node(Path logDir, String name, List<String> args) {
        ChildJvm node = ChildJvm.builder(Main.class)
                .name(name)
                .heap("128m")
                .logDir(logDir)
                .jvmOptions(CACHE)
                .args("node")
                .args(args)
                .start();
        node.awaitLine(l -> l.startsWith("ready node="), TIMEOUT);
        return node;
    }

    /** Runs {@code tether <args>} to its end; returns the process (exited) for its status and output. */
    static Result run(Path logDir, String name, String... args) {
        ChildJvm c = start(logDir, name, args);
        int status = c.awaitExit(TIMEOUT);
        return new Result(status, c.lines());
    }

    /** How a finished CLI process ended: its exit status and output lines (stderr ones prefixed {@code [err] }). */
    record Result(int status, List<String> lines) {
        String output() {
            return String.join("\n", lines);
        }
    }
}
