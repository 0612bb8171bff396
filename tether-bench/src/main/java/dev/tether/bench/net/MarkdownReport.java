package dev.tether.bench.net;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Renders a {@link NetworkBench.Report} as the markdown table and ratios of docs/BENCHMARKS.md. Stateless. */
final class MarkdownReport {
    private static final Map<String, String> TARGETS = Map.ofEntries(
            Map.entry("socket-pingpong", "floor for the round trip"),
            Map.entry("nats-core", "ceiling over NATS"),
            Map.entry("jetstream", "peer for Tether over NATS"),
            Map.entry("tcp-sqlite", ">= 50,000 msg/s (stretch 100,000); p99 <= 5 ms at half load"),
            Map.entry("tcp-memory", ">= 500,000 msg/s"),
            Map.entry("nats-memory", "ahead of JetStream"),
            Map.entry("nats-sqlite", "ahead of JetStream"),
            Map.entry("nats-sqlite-os", "ahead of JetStream (equal durability)"),
            Map.entry("tcp-roundtrip", "p50 <= 2x raw ping-pong"),
            Map.entry("tcp-roundtrip-inline", "p50 <= 2x raw ping-pong"),
            Map.entry("tcp-roundtrip-chained", "p50 <= 2x raw ping-pong"),
            Map.entry("tcp-sqlite-os", "diagnostic: tcp-sqlite without fsync"),
            Map.entry("tcp-sqlite-effects", ">= 0.5x tcp-sqlite (issue 12, one application row per message)"),
            Map.entry("uds-memory", ">= tcp-memory (issue 11)"),
            Map.entry("uds-roundtrip", "p50 < tcp-roundtrip's (issue 11)"),
            Map.entry("composite-memory", "cost of the composite: compare with tcp-memory (issue 11 item 9)"),
            Map.entry("handoff-floor", "floor of tcp-roundtrip's threading (issue 14 item 6)"),
            Map.entry("handoff-floor-inline", "floor of tcp-roundtrip-inline's threading (issue 14 item 6)"),
            Map.entry("composite-roundtrip", "cost of the composite: compare with tcp-roundtrip (issue 11 item 9)"),
            Map.entry("tcp-request-rtt-memory", "compare with gRPC's p50"),
            Map.entry("tcp-request-memory", "compare with gRPC"),
            Map.entry("tcp-request-rtt-sqlite", "p50 stated beside gRPC's (issue 9)"),
            Map.entry("tcp-request-sqlite", ">= 50,000 requests/s (issue 9, 64+ outstanding)"),
            Map.entry("tcp-request-rtt-volatile", "p50 <= gRPC's p50 (issue 9)"),
            Map.entry("tcp-request-volatile", ">= 2x gRPC (issue 9, 64 outstanding)"),
            Map.entry("tcp-request-rtt-volatile-4k", "p50 <= gRPC's p50 (issue 9)"),
            Map.entry("tcp-request-volatile-4k", ">= 2x gRPC (issue 9, 64 outstanding)"),
            Map.entry("tcp-request-sqlite-4k", ">= 50,000 requests/s (issue 9, 64+ outstanding)"));

    private MarkdownReport() {}

    static String render(BenchOptions o, NetworkBench.Report r) {
        StringBuilder b = new StringBuilder();
        b.append("| # | scenario | durability | steady rounds | **median** | range | IQR | cold round | warm-up |"
                + " latency p50 / p99 | CPU per msg (all processes) | load start -> end | target |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ScenarioResult s : r.results()) {
            double[] q = s.series().iqr();
            b.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s | %s | **%s** | %s | %s - %s | %s (%.1f µs/msg) | %s | %s | %.2f µs | %s | %s |%n",
                    BenchOptions.ALL.indexOf(s.id()) + 1,
                    s.title(),
                    s.durability(),
                    s.roundsText(),
                    s.medianText()
                            + (s.roundTrip() ? " RTT p50" : s.id().contains("request") ? " requests/s" : " msg/s"),
                    range(s),
                    s.valueText(q[0]),
                    s.valueText(q[1]),
                    s.valueText(s.series().warmUp().cold().value()),
                    s.series().warmUp().cold().cpuPerOp() / 1e3,
                    s.series().warmUp().text(),
                    s.latency().text() + (s.latencyNote().isEmpty() ? "" : " (" + s.latencyNote() + ")"),
                    s.cpuPerMessage() / 1e3,
                    s.series().loadText(),
                    TARGETS.getOrDefault(s.id(), s.id().startsWith("grpc-") ? "peer" : "")));
        }
        b.append('\n');
        ratios(r.results()).forEach(line -> b.append("- ").append(line).append('\n'));
        r.failures().forEach(f -> b.append("- FAILED ").append(f).append('\n'));
        if (o.quick()) b.append("- quick mode: sizes are far too small for these figures to mean anything\n");
        return b.toString();
    }

    /** Tether's request scenarios of one payload size ({@code suffix}) against gRPC's, when both ran. */
    private static List<String> againstGrpc(List<ScenarioResult> rs, String suffix) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        Optional<ScenarioResult> rtt = find(rs, "grpc-request-rtt" + suffix);
        Optional<ScenarioResult> rate = find(rs, "grpc-request" + suffix);
        for (String kind : List.of("volatile", "memory", "sqlite")) {
            String target = kind.equals("volatile") ? "target <= 1" : "";
            find(rs, "tcp-request-rtt-" + kind + suffix)
                    .ifPresent(t -> rtt.ifPresent(
                            g -> out.add(ratio(t.id() + " p50 / gRPC p50", t.median(), g.median(), target))));
            String rateTarget = kind.equals("volatile") ? "target >= 2" : "";
            find(rs, "tcp-request-" + kind + suffix)
                    .ifPresent(t -> rate.ifPresent(g -> out.add(
                            ratio(t.id() + " requests/s / gRPC requests/s", t.median(), g.median(), rateTarget))));
        }
        return out;
    }

    private static String range(ScenarioResult s) {
        double lo = s.series().min(), hi = s.series().max();
        if (s.roundTrip()) return Latency.micros((long) lo) + " - " + Latency.micros((long) hi);
        return String.format(Locale.ROOT, "%,.0f - %,.0f", lo, hi);
    }

    private static List<String> ratios(List<ScenarioResult> rs) {
        Optional<ScenarioResult> js = find(rs, "jetstream");
        Optional<ScenarioResult> ping = find(rs, "socket-pingpong");
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (String id : List.of("nats-memory", "nats-sqlite", "nats-sqlite-os")) {
            find(rs, id)
                    .ifPresent(t -> js.ifPresent(j -> out.add(ratio(
                            "Tether over NATS (" + id.substring(5) + ") / JetStream", t.median(), j.median(), ""))));
        }
        find(rs, "tcp-roundtrip")
                .ifPresent(t -> ping.ifPresent(p -> out.add(ratio(
                        "Tether round trip p50 / raw socket ping-pong p50", t.median(), p.median(), "target <= 2"))));
        out.addAll(againstFloor(rs, ping));
        find(rs, "tcp-roundtrip-inline")
                .ifPresent(t -> ping.ifPresent(p -> out.add(ratio(
                        "Tether round trip p50, handler on the node thread / raw socket ping-pong p50",
                        t.median(),
                        p.median(),
                        "target <= 2"))));
        find(rs, "tcp-roundtrip-chained")
                .ifPresent(t -> ping.ifPresent(p -> out.add(ratio(
                        "Tether round trip p50, chained by callbacks / raw socket ping-pong p50",
                        t.median(),
                        p.median(),
                        "target <= 2"))));
        for (String id : List.of("tcp-request-rtt-memory", "tcp-request-rtt-sqlite")) {
            find(rs, id)
                    .ifPresent(t -> ping.ifPresent(p -> out.add(ratio(
                            id + ": request round trip p50 / raw socket ping-pong p50", t.median(), p.median(), ""))));
        }
        find(rs, "tcp-request-sqlite")
                .ifPresent(t -> out.add(ratio(
                        "Tether requests TCP+SQLite / 50,000 requests/s target", t.median(), 50_000, "target >= 1")));
        out.addAll(againstGrpc(rs, ""));
        out.addAll(againstGrpc(rs, "-4k"));
        find(rs, "tcp-sqlite").ifPresent(t -> {
            out.add(ratio("Tether TCP+SQLite / 50,000 msg/s target", t.median(), 50_000, "target >= 1"));
            out.add(ratio("Tether TCP+SQLite / 100,000 msg/s stretch", t.median(), 100_000, ""));
        });
        find(rs, "tcp-memory")
                .ifPresent(t -> out.add(ratio("Tether TCP+memory / 500,000 msg/s target", t.median(), 500_000, "")));
        find(rs, "nats-core")
                .ifPresent(n -> find(rs, "nats-memory")
                        .ifPresent(t -> out.add(
                                ratio("Tether over NATS (memory) / raw core NATS", t.median(), n.median(), ""))));
        for (ScenarioResult s : rs) {
            if (s.roundTrip() || s.cpuPerMessage() <= 0) continue;
            out.add(String.format(
                    Locale.ROOT,
                    "%s: CPU-bound ceiling with all %d cores free = %,.0f msg/s (cores / CPU per message)",
                    s.id(),
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors() * 1e9 / s.cpuPerMessage()));
        }
        return out;
    }

    /** The threading floor's CPU per round trip against the ping-pong's, and Tether's against the floor's. */
    private static List<String> againstFloor(List<ScenarioResult> rs, Optional<ScenarioResult> ping) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        find(rs, "handoff-floor").ifPresent(f -> {
            ping.ifPresent(p -> out.add(ratio(
                    "CPU per round trip: threading floor / raw socket ping-pong",
                    f.cpuPerMessage(),
                    p.cpuPerMessage(),
                    "what the default threading alone costs")));
            find(rs, "tcp-roundtrip")
                    .ifPresent(t -> out.add(ratio(
                            "CPU per round trip: Tether round trip / threading floor",
                            t.cpuPerMessage(),
                            f.cpuPerMessage(),
                            "Tether's own work")));
        });
        find(rs, "handoff-floor-inline").ifPresent(f -> {
            ping.ifPresent(p -> out.add(ratio(
                    "CPU per round trip: inline threading floor / raw socket ping-pong",
                    f.cpuPerMessage(),
                    p.cpuPerMessage(),
                    "what the threading of a handler on the node thread alone costs")));
            find(rs, "tcp-roundtrip-inline")
                    .ifPresent(t -> out.add(ratio(
                            "CPU per round trip: Tether inline round trip / inline threading floor",
                            t.cpuPerMessage(),
                            f.cpuPerMessage(),
                            "Tether's own work")));
        });
        return out;
    }

    private static String ratio(String what, double a, double b, String note) {
        return String.format(Locale.ROOT, "%s: %.2f%s", what, a / b, note.isEmpty() ? "" : " (" + note + ")");
    }

    private static Optional<ScenarioResult> find(List<ScenarioResult> rs, String id) {
        return rs.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
