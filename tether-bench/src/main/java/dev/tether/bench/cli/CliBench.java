package dev.tether.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The {@code tether} command as people run it, one process per command: how long {@code tether node} takes to
 * print {@code ready}, and how many messages per second {@code tether send} feeds from stdin. Several jars (for
 * example the code before and after a change) are measured interleaved, round by round, so that they share the
 * machine's load. Prints a Markdown table per measurement.
 *
 * <pre>
 * CliBench startup --runs 15 LABEL=JAR ...
 * CliBench sqlite-load --runs 15
 * CliBench send --lines 100000 --rounds 3 [--wait accepted] LABEL=JAR ...
 * </pre>
 *
 * <p>Start-up: wall time from starting the JVM to reading the ready line, and the process's CPU time at that
 * moment; "cold" runs give every start an empty native-library cache directory ({@code -Dtether.cache.dir}),
 * "warm" runs share one (jars that have no cache behave the same either way). Each start gets a fresh store.
 *
 * <p>Send: a receiver {@code b} ({@code tether node}) and a sender {@code a} ({@code tether node --admin}) on
 * loopback TCP with SQLite stores at the default FSYNC durability, then {@code tether send --to b < lines}:
 * wall time of the send process, and CPU per message of the send process and of each node.
 */
public final class CliBench {
    private CliBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0)
            throw new IllegalArgumentException("usage: CliBench startup|send [options] LABEL=JAR ...");
        Map<String, Path> jars = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--")) options.put(args[i].substring(2), args[++i]);
            else
                jars.put(
                        args[i].substring(0, args[i].indexOf('=')),
                        Path.of(args[i].substring(args[i].indexOf('=') + 1)));
        }
        System.out.println("machine: " + machine() + "; load average at start: " + load());
        Path work = Files.createTempDirectory("tether-cli-bench-");
        try {
            switch (args[0]) {
                case "startup" -> startup(jars, Integer.parseInt(options.getOrDefault("runs", "15")), work);
                case "sqlite-load" -> sqliteLoad(Integer.parseInt(options.getOrDefault("runs", "15")), work);
                case "send" ->
                    send(
                            jars,
                            Long.parseLong(options.getOrDefault("lines", "100000")),
                            Integer.parseInt(options.getOrDefault("rounds", "3")),
                            options.getOrDefault("wait", "accepted"),
                            work);
                default -> throw new IllegalArgumentException("unknown measurement " + args[0]);
            }
        } finally {
            delete(work);
        }
        System.out.println("load average at the end: " + load());
    }

    private static void startup(Map<String, Path> jars, int runs, Path work) throws Exception {
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int run = 0; run < runs; run++) {
            for (Map.Entry<String, Path> jar : jars.entrySet()) {
                for (String kind : List.of("cold", "warm")) {
                    Path dir = Files.createTempDirectory(work, "start");
                    Path cache =
                            kind.equals("cold") ? dir.resolve("cache") : work.resolve("warm-cache-" + jar.getKey());
                    long t0 = System.nanoTime();
                    try (CliProcess p = CliProcess.start(
                            jar.getValue(),
                            List.of("-Dtether.cache.dir=" + cache),
                            List.of(
                                    "node",
                                    "--id",
                                    "a",
                                    "--peer",
                                    "b=127.0.0.1:1",
                                    "--listen",
                                    "127.0.0.1:0",
                                    "--store-dir",
                                    dir.toString()),
                            null,
                            dir.resolve("node.err"))) {
                        p.awaitLine("ready ");
                        double wall = (System.nanoTime() - t0) / 1e6;
                        double cpu = p.cpu().toNanos() / 1e6;
                        p.stop();
                        results.computeIfAbsent(jar.getKey() + " " + kind, k -> new ArrayList<>())
                                .add(new double[] {wall, cpu});
                    }
                }
            }
        }
        System.out.printf(
                "%n| jar, start | runs | ready after (wall) median | min - max | CPU until ready, median |%n");
        System.out.printf("|---|---|---|---|---|%n");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            List<double[]> r = e.getValue();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.0f ms | %.0f - %.0f ms | %.0f ms |%n",
                    e.getKey(),
                    r.size(),
                    median(r, 0),
                    r.stream().mapToDouble(x -> x[0]).min().orElse(0),
                    r.stream().mapToDouble(x -> x[0]).max().orElse(0),
                    median(r, 1));
        }
    }

    /**
     * The part of a start that loads SQLite: first connection with sqlite-jdbc's extraction into a temp directory
     * (every start), with an empty cache directory (a first start) and with a filled one (every later start).
     */
    private static void sqliteLoad(int runs, Path work) throws Exception {
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        Path warm = work.resolve("warm-cache");
        String cp = System.getProperty("java.class.path");
        for (int run = 0; run < runs; run++) {
            for (String kind : List.of("sqlite-jdbc extraction", "cache, first start", "cache, later starts")) {
                Path dir = Files.createTempDirectory(work, "load");
                String arg = switch (kind) {
                    case "sqlite-jdbc extraction" -> "--no-cache";
                    case "cache, first start" -> dir.resolve("cache").toString();
                    default -> warm.toString();
                };
                Process p = new ProcessBuilder(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-Djava.io.tmpdir=" + dir,
                                "-cp",
                                cp,
                                SqliteLoadProbe.class.getName(),
                                arg)
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0 || !out.startsWith("first-connection-ms ")) throw new IllegalStateException(out);
                String[] f =
                        out.substring("first-connection-ms ".length()).trim().split(" ");
                results.computeIfAbsent(kind, k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])});
            }
        }
        System.out.printf("%n| SQLite load | runs | first connection (wall), median | min - max |"
                + " CPU of the loading thread, median |%n|---|---|---|---|---|%n");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            List<double[]> r = e.getValue();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.0f ms | %.0f - %.0f ms | %.0f ms |%n",
                    e.getKey(),
                    r.size(),
                    median(r, 0),
                    r.stream().mapToDouble(x -> x[0]).min().orElse(0),
                    r.stream().mapToDouble(x -> x[0]).max().orElse(0),
                    median(r, 1));
        }
    }

    private static void send(Map<String, Path> jars, long lines, int rounds, String wait, Path work) throws Exception {
        Path input = work.resolve("lines.txt");
        Files.write(input, (Iterable<String>) LongStream.rangeClosed(1, lines).mapToObj(Long::toString)::iterator);
        System.out.printf("%n%,d lines, --wait %s, FSYNC, loopback TCP%n", lines, wait);
        System.out.printf("%n| jar | round | msg/s | wall | answers | CPU/msg: send | node a | node b | load |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|---|%n");
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Path> jar : jars.entrySet()) {
                sendRound(
                        jar.getKey(),
                        jar.getValue(),
                        input,
                        lines,
                        wait,
                        round,
                        Files.createTempDirectory(work, "send"));
            }
        }
    }

    private static void sendRound(String label, Path jar, Path input, long lines, String wait, int round, Path dir)
            throws Exception {
        List<String> jvm = List.of("-Dtether.cache.dir=" + dir.resolve("cache"));
        int portA = freePort();
        int portB = freePort();
        int admin = freePort();
        Path log = dir.resolve("nodes.err");
        try (CliProcess b = startNode(jar, jvm, "b", portB, "a=127.0.0.1:" + portA, dir, List.of(), log);
                CliProcess a = startNode(
                        jar,
                        jvm,
                        "a",
                        portA,
                        "b=127.0.0.1:" + portB,
                        dir,
                        List.of("--admin", "127.0.0.1:" + admin),
                        log)) {
            b.awaitLine("ready ");
            a.awaitLine("ready ");
            Duration aBefore = a.cpu();
            Duration bBefore = b.cpu();
            long t0 = System.nanoTime();
            Path stat = dir.resolve("send.stat");
            try (CliProcess send = CliProcess.startMeasured(
                    jar,
                    jvm,
                    List.of("send", "--admin", "127.0.0.1:" + admin, "--to", "b", "--wait", wait),
                    input,
                    dir.resolve("send.err"),
                    stat)) {
                var answers = send.countLines();
                int status = send.waitFor();
                double seconds = (System.nanoTime() - t0) / 1e9;
                Duration sendCpu = CliProcess.childCpu(stat);
                printSendRow(
                        label,
                        round,
                        lines,
                        seconds,
                        answers.get(),
                        status,
                        sendCpu,
                        a.cpu().minus(aBefore),
                        b.cpu().minus(bBefore));
            }
            a.stop();
            b.stop();
        }
    }

    private static CliProcess startNode(
            Path jar, List<String> jvm, String id, int port, String peer, Path dir, List<String> extra, Path log) {
        List<String> args = new ArrayList<>(List.of(
                "node", "--id", id, "--listen", "127.0.0.1:" + port, "--peer", peer, "--store-dir", dir.toString()));
        args.addAll(extra);
        return CliProcess.start(jar, jvm, args, null, log);
    }

    private static void printSendRow(
            String label,
            int round,
            long lines,
            double seconds,
            long answered,
            int status,
            Duration sendCpu,
            Duration aCpu,
            Duration bCpu) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %,.0f | %.2f s | %,d (exit %d) | %s | %.1f µs | %.1f µs | %s |%n",
                label,
                round,
                lines / seconds,
                seconds,
                answered,
                status,
                sendCpu.isZero() ? "n/a" : String.format(Locale.ROOT, "%.1f µs", sendCpu.toNanos() / 1e3 / lines),
                aCpu.toNanos() / 1e3 / lines,
                bCpu.toNanos() / 1e3 / lines,
                load().split(",")[0]);
    }

    private static double median(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(x -> x[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Below the ephemeral range, so no outgoing connection's local port takes it before the node binds it. */
    private static int freePort() {
        return dev.tether.fixtures.FreePorts.loopback();
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            cpu = "unknown CPU (" + e.getMessage() + ")";
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), JDK "
                + System.getProperty("java.vm.version");
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
