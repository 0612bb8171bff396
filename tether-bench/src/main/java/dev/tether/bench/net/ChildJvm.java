package dev.tether.bench.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this JVM's classpath, driven by lines: the parent writes commands to its stdin and reads its
 * replies from its stdout; its stderr goes to a log file that failures quote. Not thread-safe: one driver thread.
 *
 * <p>Failure: a reply that does not come within the deadline, or a child that exits, throws {@link
 * IllegalStateException} with the end of the child's log; {@link #close()} kills the child (SIGKILL) if it has
 * not exited on its own within a few seconds.
 */
public final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final String name;
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::pump, "child-" + name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM with this JVM's classpath and {@code jvmArgs}, in which
     * {@code {name}} stands for this child's name.
     */
    public static ChildJvm start(String name, Class<?> mainClass, List<String> jvmArgs, List<String> args) {
        try {
            Path log = Files.createTempFile("tether-bench-" + name + "-", ".log");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            // G1 unless a --child-jvm-arg names a collector: the JVM refuses two
            if (jvmArgs.stream().noneMatch(ChildJvm::selectsCollector)) cmd.add("-XX:+UseG1GC");
            cmd.add("-Xmx2g");
            for (String a : jvmArgs) cmd.add(a.replace("{name}", name));
            cmd.add(mainClass.getName());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                    .start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + name, e);
        }
    }

    /** Whether a JVM option selects a garbage collector ({@code -XX:+UseParallelGC}, {@code -XX:+UseZGC}, ...). */
    static boolean selectsCollector(String jvmArg) {
        return jvmArg.startsWith("-XX:+Use") && jvmArg.endsWith("GC");
    }

    public void send(String command) {
        in.println(command);
        if (in.checkError()) throw failure("cannot write '" + command + "' to it");
    }

    /** The next line whose first word is {@code word}, split into words; other lines are skipped. */
    public String[] expect(String word, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            String line;
            try {
                line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted waiting for " + word);
            }
            if (line == null) throw failure("no '" + word + "' within " + timeoutSeconds + " s");
            if (line.equals(EOF)) throw failure("exited while the parent waited for '" + word + "'");
            String[] w = line.trim().split(" ");
            if (w[0].equals("FAILED")) throw failure("reported " + line);
            if (w[0].equals(word)) return w;
        }
    }

    private void pump() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) lines.put(line);
        } catch (IOException e) {
            // the child is gone; EOF below tells the waiting driver
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lines.offer(EOF);
    }

    private IllegalStateException failure(String what) {
        String tail;
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            tail = String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            tail = "(log unreadable: " + e + ")";
        }
        return new IllegalStateException("child JVM " + name + " " + what + "; its log " + log + " ends:\n" + tail);
    }

    @Override
    public void close() {
        try {
            in.println("STOP");
            in.flush();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (System.getenv("TETHER_BENCH_KEEP_LOGS") != null) {
            System.err.println("kept the log of child JVM " + name + ": " + log);
            return;
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover log file in the temp directory is harmless
        }
    }
}
