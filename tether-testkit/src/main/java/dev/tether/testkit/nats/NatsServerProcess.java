package dev.tether.testkit.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real {@code nats-server} child process for tests, listening on a free loopback port. Start one with {@link
 * #start()} or configure it with {@link #builder()} (whose {@code build()} prepares a server without starting it); {@link #kill()} sends SIGKILL, {@link #restart()} starts it
 * again on the same ports (and the same JetStream directory), {@link #close()} kills it and deletes its files.
 *
 * <p>The executable is {@code -Dtether.nats.server=/path} if set, else {@code nats-server} on the {@code PATH},
 * else {@code /usr/sbin/nats-server}; if none exists, starting throws {@link IllegalStateException} telling how to
 * install it (tests never skip for want of a server). The server is ready when its log says so and its client
 * port accepts connections; a server that does not get there within the start deadline, or exits, fails the
 * start with the end of its log. Every process is also killed by a JVM shutdown hook, so a failed or interrupted
 * test run leaves none behind.
 *
 * <p>Threading: methods are synchronized; {@link #url()} and {@link #port()} never change.
 */
public final class NatsServerProcess implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "nats-server-reaper"));
    }

    private final Path executable;
    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private final int monitorPort;
    private final int clusterPort;
    private Process process;
    private boolean closed;

    private NatsServerProcess(Builder b, Path dir) throws IOException {
        this.executable = findExecutable();
        this.dir = dir;
        this.port = b.port != 0 ? b.port : freePort();
        this.monitorPort = freePort();
        this.clusterPort = b.clusterPort;
        this.config = dir.resolve("nats.conf");
        this.log = dir.resolve("nats-server.log");
        Files.writeString(config, configText(b, dir), StandardCharsets.UTF_8);
    }

    /** A plain server (no JetStream, no cluster, default max_payload of 1 MiB), started and ready. */
    public static NatsServerProcess start() {
        return builder().start();
    }

    /** A builder for a server with JetStream, a cluster route or another max_payload. */
    public static Builder builder() {
        return new Builder();
    }

    /** The client URL, {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The HTTP monitoring port (for {@code /varz}, {@code /routez}, ...). */
    public int monitorPort() {
        return monitorPort;
    }

    /** The server's log file (its standard error), kept across restarts. */
    public Path logFile() {
        return log;
    }

    /** Whether the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server with SIGKILL and waits for it to exit. Does nothing if it is not running. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        awaitExit(process);
        LIVE.remove(process);
        process = null;
    }

    /**
     * Starts the server again on the same ports and configuration (JetStream data kept) and waits until it is
     * ready; also starts a server made with {@link Builder#build()} for the first time.
     */
    public synchronized void restart() {
        kill();
        launch();
    }

    /** Kills the server and deletes its directory (configuration, log, JetStream data). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        kill();
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "nats-server " + url();
    }

    synchronized void launch() {
        if (closed) throw new IllegalStateException("server was closed");
        if (isRunning()) return;
        ProcessBuilder pb = new ProcessBuilder(executable.toString(), "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long logStart = log.toFile().length();
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
        LIVE.add(process);
        awaitReady(logStart);
    }

    private void awaitReady(long logStart) {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (!(logSince(logStart).contains("Server is ready") && accepts(port))) {
            if (!process.isAlive()) {
                LIVE.remove(process);
                process = null;
                throw new IllegalStateException("nats-server on port " + port + " exited during start:\n" + logTail());
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw new IllegalStateException(
                        "nats-server on port " + port + " not ready within " + START_DEADLINE + ":\n" + logTail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of the log, for failure messages. */
    public String logTail() {
        String all = logSince(0);
        String[] lines = all.split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, lines.length - 30); i < lines.length; i++)
            b.append(lines[i]).append('\n');
        return b.toString();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitExit(Process p) {
        boolean interrupted = false;
        while (true) {
            try {
                if (p.waitFor(30, TimeUnit.SECONDS)) break;
                throw new IllegalStateException("nats-server pid " + p.pid() + " did not exit after SIGKILL");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private String configText(Builder b, Path dir) {
        StringBuilder c = new StringBuilder();
        c.append("listen: 127.0.0.1:").append(port).append('\n');
        c.append("http: 127.0.0.1:").append(monitorPort).append('\n');
        if (b.maxPayload != 0) c.append("max_payload: ").append(b.maxPayload).append('\n');
        if (b.jetStream) {
            c.append("jetstream {\n  store_dir: \"")
                    .append(dir.resolve("jetstream"))
                    .append("\"\n}\n");
        }
        if (b.clusterPort != 0) {
            c.append("cluster {\n  name: ").append(b.clusterName).append('\n');
            c.append("  listen: 127.0.0.1:").append(b.clusterPort).append('\n');
            c.append("  routes: [");
            for (int i = 0; i < b.routes.size(); i++) {
                c.append(i == 0 ? "" : ", ").append("nats://127.0.0.1:").append(b.routes.get(i));
            }
            c.append("]\n}\n");
        }
        return c.toString();
    }

    /** A free loopback port at the time of the call. */
    /**
     * A loopback port nobody listens on now and that this JVM has not handed out before. The port is not held,
     * so without the second condition two ports chosen before either server binds (a client port and a route
     * port, say) could be the same one.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
            synchronized (HANDED_OUT) {
                if (HANDED_OUT.add(port)) return port;
            }
        }
        throw new IllegalStateException("no loopback port left that was not handed out before");
    }

    private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

    private static Path findExecutable() {
        String configured = System.getProperty("tether.nats.server");
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        } else {
            String path = System.getenv().getOrDefault("PATH", "");
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) candidates.add(Path.of(d, "nats-server"));
            }
            candidates.add(Path.of("/usr/sbin/nats-server"));
            candidates.add(Path.of("/usr/local/bin/nats-server"));
        }
        for (Path p : candidates) if (Files.isExecutable(p)) return p;
        throw new IllegalStateException(
                "nats-server not found (looked at "
                        + (configured != null ? configured : "$PATH, /usr/sbin, /usr/local/bin")
                        + "); install it, e.g. 'apt-get install nats-server', or set -Dtether.nats.server=/path/to/nats-server");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory left behind is harmless
        }
    }

    /** Settings of a server to start. Not thread-safe. */
    public static final class Builder {
        private boolean jetStream;
        private int maxPayload;
        private int port;
        private int clusterPort;
        private String clusterName = "tether";
        private List<Integer> routes = List.of();

        private Builder() {}

        /** Enables JetStream with a store directory inside the server's temporary directory. */
        public Builder jetStream() {
            this.jetStream = true;
            return this;
        }

        /** Sets the server's {@code max_payload} in bytes (default: the server's, 1 MiB). */
        public Builder maxPayload(int bytes) {
            if (bytes < 1) throw new IllegalArgumentException("maxPayload must be positive: " + bytes);
            this.maxPayload = bytes;
            return this;
        }

        /** Listens for clients on {@code port} instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Joins cluster {@code name}, listening for routes on {@code clusterPort} and routing to {@code routes}. */
        public Builder cluster(String name, int clusterPort, List<Integer> routes) {
            this.clusterName = name;
            this.clusterPort = clusterPort;
            this.routes = List.copyOf(routes);
            return this;
        }

        /** Writes the configuration, starts the server and waits until it is ready. */
        public NatsServerProcess start() {
            NatsServerProcess p = build();
            try {
                p.launch();
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
            return p;
        }

        /**
         * Writes the configuration and picks the ports without starting the server: {@link #url()} is known at
         * once, {@link NatsServerProcess#restart()} starts it (for clients that start before their server).
         */
        public NatsServerProcess build() {
            try {
                return new NatsServerProcess(this, Files.createTempDirectory("tether-nats-"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare a nats-server directory", e);
            }
        }
    }
}
