package dev.tether.bench.backlog;

import dev.tether.bench.measure.Load;
import dev.tether.bench.net.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Recovery with a large backlog (issue 14 item 5): node {@code a} in a child JVM stores {@code --messages} 100-byte
 * messages for node {@code b} while {@code b} is offline (two processes, TCP on loopback, SQLite {@code FSYNC}, both
 * with a small heap, {@code --heap}, default 64m); then {@code b} is started {@code --repeat} times in a fresh child
 * JVM each, and each time the bench reports how long after {@code b}'s node was ready (its {@code Tether.start}
 * returned) its first delivery came, and how long after its JVM started. Each {@code b} halts at its first delivery
 * before committing its cursor, so every round meets the whole backlog. The first round's {@code b} has a new store
 * (a first contact); the others restart on the store the first one created.
 *
 * <p>Usage: {@code scripts/bench backlog [--messages N] [--repeat N] [--heap 64m] [--gap-ms N] [--dialer
 * both|sender]}; {@code --gap-ms} (default 2000) is how long {@code b} stays down between rounds; {@code --dialer
 * sender} gives {@code b} no address of {@code a}, so only {@code a} dials (default: both); {@code
 * --reconnect-max-ms} sets {@code a}'s largest redial delay (default: the transport's, 1 s). Exit status 0 when every round delivered.
 */
public final class BacklogBench {
    private BacklogBench() {}

    public static void main(String[] args) throws Exception {
        long messages = 1_000_000;
        int repeat = 5;
        String heap = "64m";
        long gapMs = 2000;
        boolean receiverDials = true;
        long reconnectMaxMs = 0;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--messages" -> messages = Long.parseLong(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                case "--heap" -> heap = v;
                case "--gap-ms" -> gapMs = Long.parseLong(v);
                case "--dialer" -> receiverDials = v.equals("both");
                case "--reconnect-max-ms" -> reconnectMaxMs = Long.parseLong(v);
                default -> {
                    System.err.println(
                            "usage: BacklogBench [--messages N] [--repeat N] [--heap 64m] [--gap-ms N] [--dialer both|sender] [--reconnect-max-ms N]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(messages, repeat, heap, gapMs, receiverDials, reconnectMaxMs) ? 0 : 1);
    }

    /** Runs the bench and prints its report; returns whether every round delivered. */
    static boolean run(long messages, int repeat, String heap, long gapMs, boolean receiverDials, long reconnectMaxMs)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tether-backlog-bench-");
        int aPort = freePort();
        int bPort = freePort();
        List<String> jvm = List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError");
        System.out.printf(
                Locale.ROOT,
                "# backlog bench: %,d messages x 100 B from a to b, TCP loopback, SQLite FSYNC, -Xmx%s, %d restarts of b,"
                        + " %s, a's reconnect backoff up to %s; files in %s; load average %s%n",
                messages,
                heap,
                repeat,
                receiverDials ? "each node dials the other" : "only a dials",
                reconnectMaxMs > 0 ? reconnectMaxMs + " ms" : "the default",
                dir,
                Load.now());
        try (ChildJvm a = ChildJvm.start(
                "backlog-a",
                BacklogPeer.class,
                jvm,
                List.of("sender", "" + aPort, "" + bPort, dir.toString(), "" + messages, "" + reconnectMaxMs))) {
            String[] filled = a.expect("FILLED", 3600);
            long fillMs = Long.parseLong(filled[2]);
            System.out.printf(
                    Locale.ROOT,
                    "filled: %,d messages in %.1f s (%,d msg/s); load average %s%n",
                    messages,
                    fillMs / 1e3,
                    messages * 1000 / Math.max(1, fillMs),
                    Load.now());
            return rounds(dir, receiverDials ? aPort : 0, bPort, jvm, repeat, gapMs);
        } finally {
            deleteTree(dir);
        }
    }

    /** {@code dialPort}: the port b dials ({@code aPort}), or 0 if b does not dial. */
    private static boolean rounds(Path dir, int dialPort, int bPort, List<String> jvm, int repeat, long gapMs)
            throws InterruptedException {
        long[] readyToFirst = new long[repeat];
        System.out.println(
                "| round | b's store | ready -> first delivery | JVM start -> ready | JVM start -> first | seq | load |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int r = 0; r < repeat; r++) {
            // Not a wait for a condition: the outage itself. b stays away this long so that a's redial delay grows
            // as it would in production (the scenario measured); --gap-ms sets it.
            Thread.sleep(gapMs);
            String load = Load.oneMinute();
            try (ChildJvm b = ChildJvm.start(
                    "backlog-b",
                    BacklogPeer.class,
                    jvm,
                    List.of("receiver", "" + bPort, "" + dialPort, dir.toString()))) {
                String[] f = b.expect("FIRST", 300);
                long jvmStart = Long.parseLong(f[1]);
                long ready = Long.parseLong(f[3]);
                long first = Long.parseLong(f[4]);
                readyToFirst[r] = first - ready;
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %s | %d ms | %d ms | %d ms | %s | %s -> %s |%n",
                        r + 1,
                        r == 0 ? "new" : "restart",
                        first - ready,
                        ready - jvmStart,
                        first - jvmStart,
                        f[5],
                        load,
                        Load.oneMinute());
            }
        }
        long[] restarts = Arrays.copyOfRange(readyToFirst, Math.min(1, repeat - 1), repeat);
        Arrays.sort(restarts);
        System.out.printf(
                Locale.ROOT,
                "ready -> first delivery, restarts: median %d ms, max %d ms%n",
                restarts[restarts.length / 2],
                restarts[restarts.length - 1]);
        return true;
    }

    /** Below the ephemeral range, so no outgoing connection's local port takes it before the node binds it. */
    private static int freePort() {
        return dev.tether.fixtures.FreePorts.loopback();
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (var files = Files.walk(dir)) {
            files.forEach(all::add);
        }
        for (int i = all.size() - 1; i >= 0; i--) Files.deleteIfExists(all.get(i));
    }
}
