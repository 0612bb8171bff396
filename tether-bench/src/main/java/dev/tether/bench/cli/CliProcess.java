package dev.tether.bench.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar tether.jar ...} process of the CLI benchmark: its ready line, its CPU time, SIGTERM. Not
 * thread-safe.
 */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    private CliProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code java [jvmOptions] -jar jar args}, stdin from {@code stdin} (or none), stderr to {@code log}. */
    static CliProcess start(Path jar, List<String> jvmOptions, List<String> args, Path stdin, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (stdin != null) pb.redirectInput(stdin.toFile());
        try {
            return new CliProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Like {@link #start}, but through {@code sh}, which writes its own {@code /proc} stat line to {@code stat}
     * after the JVM exits: its children's CPU time ({@link #childCpu}) is then the JVM's whole CPU time, which
     * the JVM's own process handle no longer tells once it has exited.
     */
    static CliProcess startMeasured(
            Path jar, List<String> jvmOptions, List<String> args, Path stdin, Path log, Path stat) {
        StringBuilder cmd = new StringBuilder("'")
                .append(ProcessHandle.current().info().command().orElse("java"))
                .append("'");
        for (String o : jvmOptions) cmd.append(" '").append(o).append("'");
        cmd.append(" -jar '").append(jar).append("'");
        for (String a : args) cmd.append(" '").append(a).append("'");
        cmd.append("; status=$?; cat /proc/$$/stat > '").append(stat).append("'; exit $status");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (stdin != null) pb.redirectInput(stdin.toFile());
        try {
            return new CliProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CPU time (user + system) of the waited-for children recorded in a {@code /proc/PID/stat} line. */
    static Duration childCpu(Path stat) throws IOException {
        String line = java.nio.file.Files.readString(stat);
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]); // cutime, cstime (fields 16 and 17)
        return Duration.ofMillis(ticks * 10); // USER_HZ is 100 on Linux
    }

    /** Reads stdout up to the first line starting with {@code prefix}; returns it. */
    String awaitLine(String prefix) throws IOException {
        for (String l; (l = out.readLine()) != null; ) {
            if (l.startsWith(prefix)) return l;
        }
        throw new IOException("the process ended without a line starting with '" + prefix + "'");
    }

    /** Reads and counts the remaining stdout lines, on another thread. */
    CompletableFuture<Long> countLines() {
        return CompletableFuture.supplyAsync(() -> {
            long n = 0;
            try {
                while (out.readLine() != null) n++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return n;
        });
    }

    /** CPU time (user + system) used so far; zero where the platform does not tell. */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    long pid() {
        return process.pid();
    }

    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGTERM, then waits for the end. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }
}
