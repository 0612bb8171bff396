package dev.tether.bench.net;

import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.SummaryRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The rows of docs/BENCHMARKS.md's summary table that {@link NetworkBench} measures, each beside the peer measured in
 * the same run. A row whose scenario did not run is left out; a missing peer is shown as a dash. Stateless.
 */
final class SummaryRows {
    /** The scenarios the summary needs, in table order (see {@code scripts/bench-summary}). */
    static final List<String> SCENARIOS = List.of(
            "socket-pingpong",
            "nats-core",
            "jetstream",
            "tcp-sqlite",
            "tcp-memory",
            "nats-sqlite-os",
            "tcp-roundtrip",
            "tcp-request-rtt-memory",
            "tcp-request-sqlite");

    private SummaryRows() {}

    static List<SummaryRow> of(NetworkBench.Report r) {
        List<SummaryRow> rows = new ArrayList<>();
        Optional<ScenarioResult> js = find(r, "jetstream");
        Optional<ScenarioResult> ping = find(r, "socket-pingpong");
        Optional<ScenarioResult> core = find(r, "nats-core");
        find(r, "tcp-sqlite").ifPresent(t -> {
            rows.add(rate(
                    "TCP, two processes, SQLite `FSYNC`: >= 100,000 msg/s",
                    t,
                    "msg/s",
                    js,
                    "JetStream (file, no per-msg fsync)",
                    met(t.median() >= 100_000)));
            if (t.latency().measured()) rows.add(halfLoad(t));
        });
        find(r, "tcp-memory")
                .ifPresent(t -> rows.add(rate(
                        "TCP, two processes, in-memory store: >= 500,000 msg/s",
                        t,
                        "msg/s",
                        core,
                        "raw core NATS (at most once)",
                        met(t.median() >= 500_000))));
        find(r, "nats-sqlite-os").ifPresent(t -> {
            String met = js.map(j -> t.median() / j.median())
                    .map(x -> x > 1
                            ? (x >= 3 ? "met; 3x of issue 14 met" : "met; 3x of issue 14 **not met**")
                            : "**not met**")
                    .orElse("no peer");
            rows.add(rate(
                    "over NATS, SQLite `OS_BUFFERED`: ahead of JetStream at equal durability (issue 14: >= 3x)",
                    t,
                    "msg/s",
                    js,
                    "JetStream (file, explicit acks)",
                    met));
        });
        find(r, "tcp-roundtrip")
                .ifPresent(t -> rows.add(roundTrip(
                        "send + await `processed()` over TCP: p50 <= 2x a raw socket ping-pong",
                        t,
                        ping,
                        ping.map(p -> met(t.median() <= 2 * p.median())).orElse("no peer"))));
        find(r, "tcp-request-rtt-memory")
                .ifPresent(t -> rows.add(roundTrip(
                        "request/reply over TCP, one at a time: p50 at or below gRPC's (gRPC peer not in this bench)",
                        t,
                        ping,
                        "not measured: no gRPC peer")));
        find(r, "tcp-request-sqlite")
                .ifPresent(t -> rows.add(rate(
                        "request/reply over TCP, SQLite `FSYNC`, 64 outstanding: >= 50,000 requests/s (issue 9)",
                        t,
                        "requests/s",
                        Optional.empty(),
                        "",
                        met(t.median() >= 50_000))));
        return rows;
    }

    private static SummaryRow rate(
            String target, ScenarioResult t, String unit, Optional<ScenarioResult> peer, String peerName, String met) {
        Series s = t.series();
        return new SummaryRow(
                target,
                SummaryRow.rateFigure(s, unit),
                s.cpuMedian(),
                peer.map(p -> SummaryRow.peer(
                                peerName, String.format(Locale.ROOT, "%,.0f msg/s", p.median()), p.series()))
                        .orElse("-"),
                peer.map(p -> SummaryRow.ratio(t.median(), p.median())).orElse("-"),
                met,
                s.loadText(),
                command(t.id()));
    }

    private static SummaryRow roundTrip(String target, ScenarioResult t, Optional<ScenarioResult> ping, String met) {
        Series s = t.series();
        return new SummaryRow(
                target,
                SummaryRow.nanosFigure(s, "p50"),
                s.cpuMedian(),
                ping.map(p -> SummaryRow.peer("raw socket ping-pong p50", Steady.nanos(p.median()), p.series()))
                        .orElse("-"),
                ping.map(p -> SummaryRow.ratio(t.median(), p.median()) + " (CPU "
                                + SummaryRow.ratio(t.cpuPerMessage(), p.cpuPerMessage()) + ")")
                        .orElse("-"),
                met,
                s.loadText(),
                command(t.id()));
    }

    private static SummaryRow halfLoad(ScenarioResult t) {
        return new SummaryRow(
                "TCP, SQLite `FSYNC`: p99 <= 5 ms at half load",
                String.format(
                        Locale.ROOT,
                        "**p99 %s**, p50 %s (%s)",
                        Latency.micros(t.latency().p99()),
                        Latency.micros(t.latency().p50()),
                        t.latencyNote()),
                Double.NaN,
                "-",
                "-",
                met(t.latency().p99() <= 5_000_000),
                t.series().loadText(),
                command(t.id()));
    }

    private static String met(boolean met) {
        return met ? "met" : "**not met**";
    }

    private static String command(String id) {
        return "scripts/bench net --only " + (id.equals("tcp-roundtrip") ? "tcp-memory,tcp-roundtrip" : id);
    }

    private static Optional<ScenarioResult> find(NetworkBench.Report r, String id) {
        return r.results().stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
