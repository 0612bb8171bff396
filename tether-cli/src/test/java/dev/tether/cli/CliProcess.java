package dev.tether.cli;

import dev.tether.fixtures.FreePorts;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code tether} command ({@link Main}) as a child process, the way an operator runs it. Children share
 * one native-library cache directory under {@code target/}, so tests do not write to the user's home.
 */
final class CliProcess {
    static final Duration TIMEOUT = Duration.ofMinutes(3);
    static final Path LOGS = Path.of("target", "cli-processes").toAbsolutePath();
    private static final Path CACHE = Path.of("target", "tether-cache").toAbsolutePath();
    private static final Pattern TCP = Pattern.compile("transport=tcp 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin=(127\\.0\\.0\\.1:\\d+)");

    private CliProcess() {}

    /** A builder of {@code tether <args>}. */
    static ChildJvm.Builder builder(String name, String... args) {
        return ChildJvm.builder(Main.class)
                .name(name)
                .heap("256m")
                .logDir(LOGS)
                .jvmOptions("-Dtether.cache.dir=" + CACHE)
                .args(args);
    }

    /** Starts {@code tether <args>}. */
    static ChildJvm start(String name, String... args) {
        return builder(name, args).start();
    }

    /** Starts {@code tether node <args>} and waits for its {@code ready} line, which it returns in {@code ready[0]}. */
    static ChildJvm node(String name, String[] ready, String... args) {
        return node(builder(name, "node"), ready, args);
    }

    /** As {@link #node(String, String[], String...)}, from a builder of {@code tether node}. */
    static ChildJvm node(ChildJvm.Builder node, String[] ready, String... args) {
        ChildJvm c = node.args(args).start();
        ready[0] = c.awaitLine(l -> l.startsWith("ready node="), TIMEOUT);
        return c;
    }

    /** Starts {@code tether chat --id ID --store-dir DIR <args>} and waits for its {@code ready} line. */
    static ChildJvm chat(String name, String id, Path dir, String... args) {
        ChildJvm c = builder(name, "chat", "--id", id, "--store-dir", dir.toString())
                .args(args)
                .start();
        c.awaitLine(l -> l.startsWith("ready node=" + id), TIMEOUT);
        return c;
    }

    /**
     * Starts {@code tether <args>} as a bare process whose stdout is the test's to read, or to leave unread or to
     * close (a {@link ChildJvm} reads it); stderr goes to {@code errLog}.
     */
    static Process withRawStdout(Path errLog, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Dtether.cache.dir=" + CACHE,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(errLog.toFile()))
                .start();
    }

    /**
     * {@link #withRawStdout} of {@code tether node --id a --print} on {@code dir}, with an admin endpoint on a free
     * loopback port (named in the ready line) and {@code drainSeconds} to drain at a stop.
     */
    static Process printingNode(Path errLog, Path dir, int drainSeconds) throws IOException {
        return withRawStdout(
                errLog,
                "node",
                "--id",
                "a",
                "--print",
                "--admin",
                "127.0.0.1:0",
                "--drain-timeout",
                String.valueOf(drainSeconds),
                "--store-dir",
                dir.toString());
    }

    /** The TCP port of a ready line. */
    static int port(String ready) {
        Matcher m = TCP.matcher(ready);
        if (!m.find()) throw new AssertionError("no TCP address in " + ready);
        return Integer.parseInt(m.group(1));
    }

    /** The admin address of a ready line. */
    static String admin(String ready) {
        Matcher m = ADMIN.matcher(ready);
        if (!m.find()) throw new AssertionError("no admin address in " + ready);
        return m.group(1);
    }

    /** A port nobody listens on, below the ephemeral range: see {@link FreePorts#loopback()}. */
    static int freePort() {
        return FreePorts.loopback();
    }
}
