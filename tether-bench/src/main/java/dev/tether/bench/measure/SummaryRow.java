package dev.tether.bench.measure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * One row of the summary table of docs/BENCHMARKS.md, as a bench writes it for {@code scripts/bench-summary}
 * (option {@code --summary FILE}: rows are appended, one markdown line each). Immutable.
 *
 * @param target the design target (DESIGN.md section 6 or the issue that set it)
 * @param figure the steady-state median and spread, and the cold round
 * @param cpuPerOp CPU nanoseconds per message (all processes), median over the measured rounds; NaN if none
 * @param peer the peer measured in the same run, with its own figure and CPU per message
 * @param ratio the figure over the peer's (or over the target where there is no peer)
 * @param met "met", "**not met**", or a sentence where it is not a yes or no
 * @param load the 1-minute load average at the start and end of the scenario
 * @param command the command that measures this row alone
 */
public record SummaryRow(
        String target,
        String figure,
        double cpuPerOp,
        String peer,
        String ratio,
        String met,
        String load,
        String command) {

    public String markdown() {
        return String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s | %s | `%s` |%n",
                target,
                figure,
                Double.isNaN(cpuPerOp) ? "-" : String.format(Locale.ROOT, "%.2f µs", cpuPerOp / 1e3),
                peer,
                ratio,
                met,
                load,
                command);
    }

    /** Appends {@code rows} to {@code file} (created if missing); does nothing if {@code file} is null. */
    public static void append(Path file, List<SummaryRow> rows) {
        if (file == null) return;
        StringBuilder b = new StringBuilder();
        rows.forEach(r -> b.append(r.markdown()));
        try {
            Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the summary rows to " + file, e);
        }
    }

    /** The figure cell of a throughput series: "median/s (min-max; cold c/s, steady after ...)". */
    public static String rateFigure(Series s, String unit) {
        return String.format(
                Locale.ROOT,
                "**%,.0f %s** (%,.0f-%,.0f; cold %,.0f; %s)",
                s.median(),
                unit,
                s.min(),
                s.max(),
                s.warmUp().cold().value(),
                s.warmUp().text());
    }

    /** The figure cell of a latency series (nanoseconds). */
    public static String nanosFigure(Series s, String what) {
        return String.format(
                Locale.ROOT,
                "**%s %s** (%s-%s; cold %s; %s)",
                Steady.nanos(s.median()),
                what,
                Steady.nanos(s.min()),
                Steady.nanos(s.max()),
                Steady.nanos(s.warmUp().cold().value()),
                s.warmUp().text());
    }

    /** A peer cell: its median (formatted by the caller) and its CPU per op. */
    public static String peer(String name, String median, Series s) {
        return String.format(Locale.ROOT, "%s: %s, %.2f µs CPU/msg", name, median, s.cpuMedian() / 1e3);
    }

    public static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }
}
