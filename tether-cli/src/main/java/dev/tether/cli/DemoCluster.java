package dev.tether.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The processes of {@code tether demo} and the schedule that kills them: one receiver ({@code tether listen
 * --json}) and several senders ({@code tether demo-sender}), each a child JVM of this one, each with its own
 * SQLite store, all on loopback TCP. Kills are SIGKILL ({@link ProcessHandle#destroyForcibly()}); restarts reuse
 * the same store and port.
 */
final class DemoCluster implements AutoCloseable {
    record Plan(int senders, int messages, String durability, Path dir, List<String> kills) {}

    private final Plan plan;
    private final PrintWriter log;
    private final DemoTally tally;
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    DemoCluster(Plan plan, PrintWriter log) {
        this.plan = plan;
        this.log = log;
        this.tally = new DemoTally(plan.senders());
    }

    Verdict run(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ports.put("receiver", freePort());
        for (int i = 1; i <= plan.senders(); i++) ports.put(sender(i), freePort());
        log.printf(
                "tether demo: %d sender processes x %d messages -> 1 receiver process, TCP loopback, SQLite %s%n",
                plan.senders(), plan.messages(), plan.durability());
        start("receiver").awaitReady(NodeRunner.JSON_READY, deadline); // it runs with --json
        // Senders start together and wait for "go", so every stream is under way when the kills come.
        List<NodeProcess> senders = new ArrayList<>();
        for (int i = 1; i <= plan.senders(); i++) senders.add(start(sender(i)));
        for (NodeProcess s : senders) s.awaitReady("resume ", deadline);
        for (NodeProcess s : senders) s.tell("go");
        long started = System.nanoTime();
        long total = (long) plan.senders() * plan.messages();
        List<String> kills = new ArrayList<>(plan.kills());
        int killed = 0;
        while (tally.unique() < total && System.nanoTime() < deadline) {
            if (!kills.isEmpty()
                    && tally.unique() >= total * (killed + 1) / (plan.kills().size() + 1)) {
                String victim = kills.remove(0);
                killed++;
                killAndRestart(victim, deadline);
            }
            tally.awaitChange(20);
        }
        long elapsed = System.nanoTime() - started;
        return new Verdict(total, tally.snapshot(), elapsed, plan.kills().size() - kills.size());
    }

    private void killAndRestart(String name, long deadline) throws IOException, InterruptedException {
        NodeProcess p = nodes.get(name);
        long before = tally.unique();
        int exit = p.kill();
        log.printf(
                "  SIGKILL %-9s after %,d deliveries (exit code %d); restarting it on the same store%n",
                name, before, exit);
        NodeProcess restarted = start(name);
        if (name.equals("receiver")) {
            restarted.awaitReady(NodeRunner.JSON_READY, deadline);
        } else {
            restarted.awaitReady("resume ", deadline);
            restarted.tell("go");
        }
    }

    /** Starts node {@code name}; the caller waits for its first line. */
    private NodeProcess start(String name) throws IOException {
        List<String> args = new ArrayList<>();
        boolean receiver = name.equals("receiver");
        args.add(receiver ? "listen" : "demo-sender");
        args.add("--id=" + name);
        args.add("--listen=127.0.0.1:" + ports.get(name));
        args.add("--store-dir=" + plan.dir());
        args.add("--durability=" + plan.durability());
        if (receiver) {
            args.add("--json");
            for (int i = 1; i <= plan.senders(); i++)
                args.add("--peer=" + sender(i) + "=127.0.0.1:" + ports.get(sender(i)));
        } else {
            args.add("--peer=receiver=127.0.0.1:" + ports.get("receiver"));
            args.add("--to=receiver");
            args.add("--count=" + plan.messages());
            args.add("--wait-for-go");
        }
        Consumer<String> onLine = receiver ? tally::onReceiverLine : line -> {};
        NodeProcess p = NodeProcess.start(name, args, plan.dir().resolve(name + ".log"), onLine);
        nodes.put(name, p);
        return p;
    }

    private static String sender(int i) {
        return "sender-" + i;
    }

    /** Below the ephemeral range, so no outgoing connection's local port takes it before the node binds it. */
    private static int freePort() {
        return dev.tether.fixtures.FreePorts.loopback();
    }

    @Override
    public void close() {
        for (NodeProcess p : nodes.values()) p.stop();
    }

    /** The outcome: what the receiver's application saw, per the processes' own output. */
    record Verdict(long sent, DemoTally.Snapshot seen, long elapsedNanos, int kills) {
        boolean pass() {
            return seen.unique() == sent && seen.duplicates() == 0 && seen.outOfOrder() == 0;
        }

        void print(PrintWriter out) {
            double seconds = elapsedNanos / 1e9;
            out.printf("sent (stored by senders)  : %,d%n", sent);
            out.printf("delivered (unique)        : %,d%n", seen.unique());
            out.printf("lost                      : %,d%n", sent - seen.unique());
            out.printf("duplicated (not flagged)  : %,d%n", seen.duplicates());
            out.printf("out of order              : %,d%n", seen.outOfOrder());
            out.printf(
                    "redelivered (flagged)     : %,d   (printed before a crash, not yet acknowledged)%n",
                    seen.redelivered());
            out.printf("processes killed          : %d%n", kills);
            out.printf(
                    "throughput                : %,.0f msg/s over %.1f s, kills and restarts included%n",
                    seen.unique() / Math.max(seconds, 1e-9), seconds);
            out.println("VERDICT: " + (pass() ? "PASS" : "FAIL"));
        }
    }

    /** One child JVM running {@code tether <args>}; stdout lines go to a consumer, stderr to a log file. */
    static final class NodeProcess {
        private final String name;
        private final Process process;
        private final List<String> early = new ArrayList<>();
        private Thread reader;
        private volatile IOException readFailure;

        private NodeProcess(String name, Process process) {
            this.name = name;
            this.process = process;
        }

        static NodeProcess start(String name, List<String> args, Path log, Consumer<String> onLine) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("-Xmx256m");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            NodeProcess np = new NodeProcess(name, p);
            np.reader = new Thread(() -> np.pump(onLine), "demo-" + name);
            np.reader.setDaemon(true);
            np.reader.start();
            return np;
        }

        private void pump(Consumer<String> onLine) {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (early) {
                        if (early.size() < 16) early.add(line);
                        early.notifyAll();
                    }
                    onLine.accept(line);
                }
            } catch (IOException e) {
                readFailure = e; // kill() reports it: the verdict would count unread lines as lost
            }
        }

        void awaitReady(String prefix, long deadline) throws InterruptedException {
            synchronized (early) {
                while (early.stream().noneMatch(l -> l.startsWith(prefix))) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0 || !process.isAlive()) {
                        throw new IllegalStateException(name + " did not start (exit "
                                + (process.isAlive() ? "none" : process.exitValue()) + "); see its log");
                    }
                    early.wait(Math.min(left, 100));
                }
                early.clear();
            }
        }

        /** Writes {@code line} to the process's stdin. */
        void tell(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        /**
         * SIGKILLs the process, then reads what it printed before dying to the end. Through the {@link
         * ProcessHandle}, not {@link Process#destroyForcibly()}: the latter also closes our end of its stdout,
         * and the lines still in the pipe (printed, so acknowledged and never delivered again) would be lost
         * to the tally.
         */
        int kill() throws InterruptedException {
            process.toHandle().destroyForcibly();
            int exit = process.waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(30));
            if (reader.isAlive() || readFailure != null) {
                throw new IllegalStateException("could not read all output of " + name + " after killing it: "
                        + (readFailure != null ? readFailure : "reader still running"));
            }
            return exit;
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                    process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
