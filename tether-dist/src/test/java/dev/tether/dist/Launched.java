package dev.tether.dist;

import dev.tether.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process started from the unpacked distribution (the launcher script, not a JVM the test builds a command line
 * for), with its stdout and stderr collected line by line. Stderr lines carry the prefix {@code [err] }. Output
 * lists are guarded by their own monitor; the rest belongs to the test thread.
 */
final class Launched implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final Process process;
    private final String description;
    private final List<String> lines = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private final List<ProcessHandle> children = new ArrayList<>();

    private Launched(Process process, String description) {
        this.process = process;
        this.description = description;
        readers.add(reader(process.getInputStream(), ""));
        readers.add(reader(process.getErrorStream(), "[err] "));
    }

    /** Starts {@code command} in {@code workingDirectory}; {@code environment} entries with null values are removed. */
    static Launched start(Path workingDirectory, Map<String, String> environment, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
        environment.forEach((k, v) -> {
            if (v == null) pb.environment().remove(k);
            else pb.environment().put(k, v);
        });
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            return new Launched(pb.start(), String.join(" ", command));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs {@code command} to its end. */
    static Launched run(Path workingDirectory, Map<String, String> environment, List<String> command) {
        Launched l = start(workingDirectory, environment, command);
        l.awaitExit();
        return l;
    }

    private Thread reader(InputStream in, String prefix) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            synchronized (lines) {
                                lines.add(prefix + line);
                            }
                        }
                    } catch (IOException e) {
                        synchronized (lines) {
                            lines.add("[reader] " + e);
                        }
                    }
                },
                "output of " + description);
        t.setDaemon(true);
        t.start();
        return t;
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String output() {
        return String.join("\n", lines());
    }

    /** Waits for an output line matching {@code predicate} and returns it. */
    String awaitLine(Predicate<String> predicate) {
        Await.until(
                TIMEOUT,
                () -> lines().stream().anyMatch(predicate) || !process.isAlive(),
                () -> "a line from " + description + "; so far:\n" + output());
        return lines().stream()
                .filter(predicate)
                .findFirst()
                .orElseThrow(() -> new AssertionError(description + " exited with " + process.exitValue()
                        + " before the line; output:\n" + output()));
    }

    /** Waits for the process to end and for its output to be read; returns its exit status. */
    int awaitExit() {
        try {
            if (!process.waitFor(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError(description + " still running after " + TIMEOUT + "; output:\n" + output());
            }
            for (Thread t : readers) t.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + description, e);
        }
        return process.exitValue();
    }

    int exitStatus() {
        return process.exitValue();
    }

    /** The executable the process runs now (the launcher replaces itself with java). */
    String executable() {
        return process.toHandle().info().command().orElse("(unknown)");
    }

    /**
     * Sends SIGTERM, as systemd does to stop a service. Processes the launcher started are remembered, so that
     * {@link #close()} ends them too should the launcher have left them behind.
     */
    void terminate() {
        process.toHandle().descendants().forEach(children::add);
        process.toHandle().destroy();
    }

    @Override
    public void close() {
        process.toHandle().descendants().forEach(children::add);
        if (process.isAlive()) process.toHandle().destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
