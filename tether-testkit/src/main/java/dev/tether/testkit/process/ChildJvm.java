package dev.tether.testkit.process;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Java program running in a child JVM, for tests that need a real process: one that can be killed with
 * SIGKILL, restarted on the same files, or run in a small heap. The child runs the {@code java} binary of the
 * current JVM with the current class path (by default), so any class of the test class path can be its main
 * class.
 *
 * <p><b>Output.</b> Every line the child writes to stdout or stderr (stderr lines prefixed with {@code "[err] "})
 * is appended to a log file (by default under {@code target/child-jvm/}, flushed per line, so it is complete
 * even if the test fails) and queued for {@link #awaitLine}; {@link #lines()} returns all lines so far.
 *
 * <p><b>Ending it.</b> {@link #kill()} sends SIGKILL ({@link ProcessHandle#destroyForcibly()} does so on Linux and
 * other POSIX systems) and returns the exit status, 137 (128 + 9) for a process that died of it. {@link
 * #close()} kills a child still running, and a JVM shutdown hook kills children a test left behind, so no
 * child outlives the test JVM.
 *
 * <p><b>Threading.</b> Thread-safe. Two daemon threads per child copy its output. {@link #awaitLine} consumes
 * lines from one queue, so concurrent callers each see a line at most once.
 *
 * <p><b>Failure.</b> {@link #awaitLine} and {@link #awaitExit} throw {@link AssertionError} with the child's
 * last lines when the deadline passes or (for {@code awaitLine}) the child exits first, so a failing test
 * says what the child was doing.
 */
public final class ChildJvm implements AutoCloseable {
    /** Exit status of a process killed by SIGKILL: 128 + signal 9. */
    public static final int SIGKILL_EXIT = 137;

    private static final Set<ChildJvm> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int TAIL_LINES = 40;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildJvm::killAll, "child-jvm-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Writer log;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> lines = new ArrayList<>();
    private final CountDownLatch readersDone = new CountDownLatch(2);

    private ChildJvm(String name, Process process, Path logFile, Writer log) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.log = log;
    }

    /** A builder for a child running {@code mainClass}'s {@code main}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    /** A builder for a child running the {@code main} of the class named {@code mainClass}. */
    public static Builder builder(String mainClass) {
        return new Builder(mainClass);
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** The file every output line is copied to. */
    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A copy of every output line read so far, in order (stdout and stderr interleaved as read). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Consumes output lines until one matches {@code predicate} and returns it.
     *
     * @throws AssertionError if no line matched within {@code timeout} or the child ended without one
     */
    public String awaitLine(Predicate<String> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line;
            try {
                line = queue.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a line from " + this);
            }
            if (line != null) {
                if (predicate.test(line)) return line;
                continue;
            }
            if (!process.isAlive() && readersDone.getCount() == 0 && queue.isEmpty()) {
                throw new AssertionError(this + " exited with status " + process.exitValue()
                        + " before printing the expected line" + tail());
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for a line from " + this + tail());
            }
        }
    }

    /**
     * Waits for the child to exit and returns its exit status.
     *
     * @throws AssertionError if it is still running after {@code timeout} (it is left running; {@link #close()}
     *     kills it)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError(this + " still running after " + timeout + tail());
            }
            readersDone.await(10, TimeUnit.SECONDS); // the pipes close with the process; output is complete then
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + this + " to exit");
        }
        RUNNING.remove(this);
        closeLog();
        return process.exitValue();
    }

    /**
     * Kills the child with SIGKILL and waits for it to end; returns its exit status ({@link #SIGKILL_EXIT} if
     * the signal killed it; its own status if it had already exited).
     */
    public int kill() {
        // Through the handle: Process.destroyForcibly() would also close our end of the child's output, and
        // the lines it printed just before dying, still in the pipe, would be lost.
        process.toHandle().destroyForcibly();
        return awaitExit(Duration.ofSeconds(30));
    }

    /**
     * Sends SIGTERM ({@link ProcessHandle#destroy()} does so on Linux and other POSIX systems), asking the child
     * to stop gracefully, and waits up to {@code timeout} for it to end; returns its exit status.
     */
    public int terminate(Duration timeout) {
        process.toHandle().destroy();
        return awaitExit(timeout);
    }

    /** Kills the child if it is still running; idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) kill();
        RUNNING.remove(this);
        closeLog();
    }

    @Override
    public String toString() {
        return "child JVM " + name + " (pid " + process.pid() + ", log " + logFile + ")";
    }

    private String tail() {
        List<String> all = lines();
        List<String> last = all.subList(Math.max(0, all.size() - TAIL_LINES), all.size());
        return last.isEmpty() ? " (no output)" : "; last lines:\n  " + String.join("\n  ", last);
    }

    private void startReaders() {
        startReader(process.getInputStream(), "", "out");
        startReader(process.getErrorStream(), "[err] ", "err");
    }

    private void startReader(InputStream in, String prefix, String stream) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            record(prefix + line);
                        }
                    } catch (IOException e) {
                        record("[child-jvm] reading " + stream + " failed: " + e);
                    } finally {
                        readersDone.countDown();
                    }
                },
                "child-jvm-" + name + "-" + stream);
        t.setDaemon(true);
        t.start();
    }

    private void record(String line) {
        synchronized (lines) {
            lines.add(line);
            try {
                log.write(line);
                log.write('\n');
                log.flush();
            } catch (IOException e) {
                // The log is a convenience; the lines stay available through lines() and awaitLine.
            }
        }
        queue.add(line);
    }

    private void closeLog() {
        synchronized (lines) {
            try {
                log.close();
            } catch (IOException e) {
                // Nothing more will be written; losing the final flush of a debugging log is harmless.
            }
        }
    }

    private static void killAll() {
        for (ChildJvm c : RUNNING) c.process.destroyForcibly();
    }

    /**
     * This JVM's class path followed by its module path, as one class path: a child started with it sees every
     * class this JVM sees. Tests of a module run with the module under test (and the modules it requires) on the
     * module path and the rest on the class path; the child runs all of it on the class path, where module
     * descriptors are ignored.
     */
    public static String currentClasspath() {
        String classpath = System.getProperty("java.class.path", "");
        String modulePath = System.getProperty("jdk.module.path", "");
        if (modulePath.isEmpty()) return classpath;
        return classpath.isEmpty() ? modulePath : classpath + File.pathSeparator + modulePath;
    }

    /**
     * Settings of a child JVM. Not thread-safe; use from one thread. Defaults: {@link #currentClasspath()}, no heap
     * limit beyond the JVM's default, log under {@code target/child-jvm/}.
     */
    public static final class Builder {
        private final String mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> defaultSignals = new ArrayList<>();
        private final List<String> ignoredSignals = new ArrayList<>();
        private String classpath = currentClasspath();
        private String heap;
        private String name;
        private Path logDir = Path.of("target", "child-jvm");
        private Path workingDirectory;
        private Path stdin;
        private final java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();

        private Builder(String mainClass) {
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        }

        /** Program arguments, appended. */
        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        /** Program arguments, appended. */
        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        /** Maximum heap, as for {@code -Xmx} (for example {@code "64m"}). */
        public Builder heap(String size) {
            if (!size.matches("[0-9]+[kKmMgG]?")) throw new IllegalArgumentException("not a heap size: " + size);
            this.heap = size;
            return this;
        }

        /** JVM options such as {@code -Dkey=value} or {@code -XX:...}, appended. */
        public Builder jvmOptions(String... options) {
            this.jvmOptions.addAll(List.of(options));
            return this;
        }

        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** A short name for thread names and the log file; defaults to the main class's simple name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The directory of the log file (created if needed). */
        public Builder logDir(Path dir) {
            this.logDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * The child's working directory (by default this JVM's): where relative paths it opens, such as a node's
         * default store directory, resolve. Class path entries stay as this JVM resolved them.
         */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** A file the child reads as its standard input; default: an empty pipe that stays open. */
        public Builder stdin(Path file) {
            this.stdin = Objects.requireNonNull(file, "file");
            return this;
        }

        /** An environment variable of the child, added to (or replacing one of) this process's. */
        public Builder env(String name, String value) {
            this.environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Starts the JVM with {@code SIG<name>} handled the default way even if this process ignores it (as under
         * {@code nohup}, which ignores SIGHUP, and whose children inherit that): through {@code env
         * --default-signal}, which then replaces itself with the JVM, so {@link #pid()} stays the JVM's.
         */
        public Builder defaultSignal(String name) {
            this.defaultSignals.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** Starts the JVM with {@code SIG<name>} ignored, as {@code nohup} does for SIGHUP ({@code env --ignore-signal}). */
        public Builder ignoreSignal(String name) {
            this.ignoredSignals.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** The command line {@link #start()} runs. */
        public List<String> command() {
            List<String> cmd = new ArrayList<>();
            if (!defaultSignals.isEmpty() || !ignoredSignals.isEmpty()) cmd.add("env");
            if (!defaultSignals.isEmpty()) cmd.add("--default-signal=" + String.join(",", defaultSignals));
            if (!ignoredSignals.isEmpty()) cmd.add("--ignore-signal=" + String.join(",", ignoredSignals));
            cmd.add(javaBinary());
            if (heap != null) cmd.add("-Xmx" + heap);
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(workingDirectory == null ? classpath : absolute(classpath));
            cmd.add(mainClass);
            cmd.addAll(args);
            return cmd;
        }

        /**
         * Starts the child.
         *
         * @throws UncheckedIOException if the process or its log file cannot be created
         */
        public ChildJvm start() {
            String n = (name != null ? name : mainClass.substring(mainClass.lastIndexOf('.') + 1)) + "-"
                    + COUNTER.incrementAndGet();
            try {
                Files.createDirectories(logDir);
                Path logFile = logDir.resolve(n + ".log").toAbsolutePath();
                Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
                Process p;
                try {
                    ProcessBuilder pb = new ProcessBuilder(command());
                    if (workingDirectory != null) pb.directory(workingDirectory.toFile());
                    if (stdin != null) pb.redirectInput(stdin.toFile());
                    pb.environment().putAll(environment);
                    p = pb.start();
                } catch (IOException e) {
                    log.close();
                    throw e;
                }
                ChildJvm child = new ChildJvm(n, p, logFile, log);
                RUNNING.add(child);
                child.startReaders();
                return child;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start child JVM " + n + ": " + e.getMessage(), e);
            }
        }

        /** {@code classpath} with each entry made absolute against this JVM's working directory. */
        private static String absolute(String classpath) {
            List<String> entries = new ArrayList<>();
            for (String e : classpath.split(java.io.File.pathSeparator)) {
                entries.add(e.isEmpty() ? e : Path.of(e).toAbsolutePath().toString());
            }
            return String.join(java.io.File.pathSeparator, entries);
        }

        private static String javaBinary() {
            return ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString());
        }
    }
}
