package dev.tether.bench.fanout;

import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.net.ChildJvm;
import dev.tether.fixtures.NatsServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Channel fan-out (issue 10, "Speed"): one publisher process and {@code --readers} reader processes over TCP on
 * loopback, 100-byte messages published on one channel, each delivered to every reader; against NATS JetStream with
 * one file stream and as many durable consumers with explicit acks, in the same run. A round publishes {@code
 * --messages} and ends when every reader has every message; the rate is publishes per second (deliveries: times the
 * readers), CPU per publish is that of every process of the bench (this JVM, the children, nats-server). Warm-up
 * rounds until two agree within 10% (at most {@code --max-warmup}), then {@code --repeat} measured rounds.
 *
 * <p>{@code scripts/bench fanout [--readers 4] [--messages 200000] [--repeat 5] [--max-warmup 6] [--only
 * tcp-memory,tcp-sqlite,jetstream] [--outstanding 8192]}.
 */
public final class FanoutBench {
    private static final long REPLY_SECONDS = 300;

    private final int readers;
    private final int messages;
    private final int repeat;
    private final int maxWarmUp;
    private final int outstanding;

    private FanoutBench(Map<String, String> o) {
        readers = Integer.parseInt(o.getOrDefault("readers", "4"));
        messages = Integer.parseInt(o.getOrDefault("messages", "200000"));
        repeat = Integer.parseInt(o.getOrDefault("repeat", String.valueOf(Steady.REPEAT)));
        maxWarmUp = Integer.parseInt(o.getOrDefault("max-warmup", String.valueOf(Steady.MAX_WARM_UP)));
        outstanding = Integer.parseInt(o.getOrDefault("outstanding", "8192"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int readers = new FanoutBench(o).readers;
        Map<String, Series> results = run(o);
        System.out.println();
        System.out.println("| scenario | publishes/s (median, range) | deliveries/s | CPU per publish | load |");
        System.out.println("|---|---|---|---|---|");
        results.forEach((name, s) -> System.out.printf(
                Locale.ROOT,
                "| %s | %s (%s - %s) | %s | %.2f µs | %s |%n",
                name,
                Steady.rate(s.median()),
                Steady.rate(s.min()),
                Steady.rate(s.max()),
                Steady.rate(s.median() * readers),
                s.cpuMedian() / 1e3,
                s.loadText()));
        System.exit(0);
    }

    /** {@code --name value} pairs. */
    static Map<String, String> options(String... args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("options are --name value pairs: " + String.join(" ", args));
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }

    /** Runs the scenarios of {@code --only} in order; a scenario that fails throws. */
    static Map<String, Series> run(Map<String, String> o) throws Exception {
        FanoutBench b = new FanoutBench(o);
        List<String> only = List.of(
                o.getOrDefault("only", "tcp-memory,tcp-sqlite,jetstream").split(","));
        System.out.printf(
                Locale.ROOT,
                "fan-out: 1 publisher, %d readers, %,d messages of 100 bytes per round, %d cores, load %s%n",
                b.readers,
                b.messages,
                Runtime.getRuntime().availableProcessors(),
                Load.now());
        Map<String, Series> results = new LinkedHashMap<>();
        for (String s : only) {
            results.put(
                    s,
                    switch (s) {
                        case "tcp-memory" -> b.tether("memory");
                        case "tcp-sqlite" -> b.tether("sqlite");
                        case "jetstream" -> b.jetStream();
                        default -> throw new IllegalArgumentException("unknown scenario " + s);
                    });
        }
        return results;
    }

    private Series tether(String store) throws Exception {
        Path dir = Files.createTempDirectory("tether-fanout-");
        List<ChildJvm> readerJvms = new ArrayList<>();
        List<String> readerAddresses = new ArrayList<>();
        try {
            for (int i = 0; i < readers; i++) {
                String id = "fan-reader-" + i;
                ChildJvm r = ChildJvm.start(
                        id, FanoutPeer.class, List.of("-Xmx1g"), List.of("reader", id, store, dir.toString()));
                readerJvms.add(r);
                readerAddresses.add(id + "=" + r.expect("READY", REPLY_SECONDS)[1]);
            }
            try (ChildJvm publisher = ChildJvm.start(
                    "fan-publisher",
                    FanoutPeer.class,
                    List.of("-Xmx1g"),
                    List.of(
                            "publisher",
                            FanoutPeer.PUBLISHER.value(),
                            store,
                            dir.toString(),
                            String.join(",", readerAddresses)))) {
                publisher.expect("READY", REPLY_SECONDS);
                publisher.send("JOIN");
                for (ChildJvm r : readerJvms) r.send("JOIN");
                for (ChildJvm r : readerJvms) r.expect("JOINED", REPLY_SECONDS);
                publisher.expect("JOINED", REPLY_SECONDS);
                return Steady.run("fanout-tcp-" + store, maxWarmUp, repeat, Steady::rate, () -> {
                    for (ChildJvm r : readerJvms) {
                        r.send("EXPECT " + messages);
                        r.expect("ARMED", REPLY_SECONDS);
                    }
                    Meter m = Meter.start();
                    publisher.send("PUB " + messages + " " + outstanding);
                    long start = Long.parseLong(publisher.expect("SENT", REPLY_SECONDS)[1]);
                    long last = 0;
                    for (ChildJvm r : readerJvms) {
                        r.send("AWAIT");
                        String[] done = r.expect("DONE", REPLY_SECONDS);
                        if (Long.parseLong(done[1]) != messages) {
                            throw new IllegalStateException(r + " got " + done[1] + " of " + messages);
                        }
                        last = Math.max(last, Long.parseLong(done[2]));
                    }
                    return m.rate(messages, last - start);
                });
            }
        } finally {
            readerJvms.forEach(ChildJvm::close);
        }
    }

    private Series jetStream() throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.builder().jetStream().start()) {
            return JetStreamFanout.run(nats.url(), readers, messages, maxWarmUp, repeat);
        }
    }
}
