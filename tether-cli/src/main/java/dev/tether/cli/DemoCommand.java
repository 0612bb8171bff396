package dev.tether.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tether demo}: real node processes over TCP with SQLite stores, and SIGKILLs in the middle. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Starts node processes on loopback TCP, each with its own SQLite store at the default durability"
                    + " (FSYNC): --senders processes each stream --messages numbered messages to one receiver"
                    + " process (tether listen --json). Mid-stream the receiver is killed with SIGKILL and"
                    + " restarted, then a sender likewise. Prints sent, delivered, lost, duplicated, out of order,"
                    + " redelivered and throughput, and a verdict. Needs no external server."
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--senders", paramLabel = "N", description = "Sending processes, 1-8 (default 2).")
    int senders = 2;

    @Option(names = "--messages", paramLabel = "M", description = "Messages per sender (default 20000).")
    int messages = 20_000;

    @Option(names = "--no-kill", description = "Do not kill any process.")
    boolean noKill;

    @Option(names = "--durability", paramLabel = "LEVEL", description = "FSYNC (default), OS_BUFFERED, MEMORY.")
    String durability = "FSYNC";

    @Option(names = "--dir", paramLabel = "DIR", description = "Where stores and logs go (default: a temp dir).")
    Path dir;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up after this long (default 120).")
    int timeoutSeconds = 120;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (senders < 1 || senders > 8) throw invalid("--senders must be in 1..8, was " + senders);
        if (messages < 1 || messages > 10_000_000) throw invalid("--messages must be in 1..10000000, was " + messages);
        if (timeoutSeconds < 1) throw invalid("--timeout must be positive");
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tether-demo-");
        List<String> kills = new ArrayList<>();
        if (!noKill) {
            kills.add("receiver");
            kills.add("sender-1");
        }
        DemoCluster.Plan plan = new DemoCluster.Plan(senders, messages, durability, work, kills);
        try (DemoCluster cluster = new DemoCluster(plan, spec.commandLine().getOut())) {
            DemoCluster.Verdict v = cluster.run(Duration.ofSeconds(timeoutSeconds));
            v.print(spec.commandLine().getOut());
            spec.commandLine().getOut().println("stores and logs: " + work);
            return v.pass() ? 0 : 1;
        }
    }

    private ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
