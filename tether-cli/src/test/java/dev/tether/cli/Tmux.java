package dev.tether.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tmux server of a test's own (its own socket), to run terminal programs on a real pseudo-terminal, type into them
 * and read their screens. {@link #close} kills the server and everything in it.
 */
final class Tmux implements AutoCloseable {
    private final String socket = "tether-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /** Runs {@code tmux <args>} on this server; returns its output. */
    String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Starts {@code shellCommand} in a new detached session of {@code width} x {@code height}. */
    void newSession(String name, int width, int height, String shellCommand) throws Exception {
        run("new-session", "-d", "-s", name, "-x", String.valueOf(width), "-y", String.valueOf(height), shellCommand);
    }

    /** What session {@code name} shows, with up to {@code history} lines scrolled off (wrapped lines joined). */
    String screen(String name, int history) {
        try {
            return run("capture-pane", "-p", "-J", "-S", String.valueOf(-history), "-t", name);
        } catch (IOException e) {
            return "(capture failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Types {@code line} into session {@code name} and presses Enter. */
    void type(String name, String line) throws Exception {
        run("send-keys", "-t", name, "-l", line);
        run("send-keys", "-t", name, "Enter");
    }

    /** {@code command} as one line for {@code sh}, each argument single-quoted. */
    static String quote(List<String> command) {
        StringBuilder s = new StringBuilder();
        for (String arg : command)
            s.append('\'').append(arg.replace("'", "'\\''")).append("' ");
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        try {
            run("kill-server");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
