package dev.tether.systest;

import dev.tether.testkit.process.HistoryLogReader;
import dev.tether.testkit.sim.CheckReport;
import dev.tether.testkit.sim.HistoryChecker;
import dev.tether.testkit.sim.HistoryEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Turns the history logs of several node processes that ran at the same time, some of them SIGKILLed and
 * restarted, into the sequence of runs {@link HistoryLogReader} expects, and checks it with {@link
 * HistoryChecker}.
 *
 * <p><b>How.</b> All logs are merged into one timeline: each log keeps its own order, and lines of different
 * logs are ordered by their wall-clock millisecond, ties broken by what must come first causally (a send before
 * its acceptance or delivery, a delivery before the cursor commit covering it, that before the trim). The
 * timeline is cut after each kill (at the time the parent saw the process dead, so every line of the killed
 * process is before the cut): each piece becomes one run whose only "crashed" node is the one killed. A line
 * a kill cut off (no newline) is dropped.
 *
 * <p>Not thread-safe; the test thread builds it.
 */
final class MergedHistory {
    private record Source(Path log) {}

    private record Kill(long timeMillis, String node) {}

    private record Line(long time, int priority, int source, int index, String text) {}

    private final Path dir;
    private final List<Source> sources = new ArrayList<>();
    private final List<Kill> kills = new ArrayList<>();

    MergedHistory(Path dir) {
        this.dir = dir;
    }

    /** A process started writing {@code log}. */
    void addLog(Path log) {
        sources.add(new Source(log));
    }

    /** {@code node}'s process was killed; call after it is dead. */
    void killed(String node) {
        kills.add(new Kill(System.currentTimeMillis(), node));
    }

    int kills() {
        return kills.size();
    }

    /** Checks the merged history; {@code payloadSize} is what every payload was made with. */
    CheckReport check(int payloadSize) {
        List<HistoryEvent> history = HistoryLogReader.read(runs(), payloadSize);
        return HistoryChecker.check(history);
    }

    private List<HistoryLogReader.Run> runs() {
        List<Line> timeline = timeline();
        List<HistoryLogReader.Run> runs = new ArrayList<>();
        List<String> piece = new ArrayList<>();
        int k = 0;
        for (Line line : timeline) {
            while (k < kills.size() && line.time() > kills.get(k).timeMillis()) {
                runs.add(new HistoryLogReader.Run(
                        write(runs.size(), piece), List.of(kills.get(k).node()), true));
                piece = new ArrayList<>();
                k++;
            }
            piece.add(line.text());
        }
        for (; k < kills.size(); k++) {
            runs.add(new HistoryLogReader.Run(
                    write(runs.size(), piece), List.of(kills.get(k).node()), true));
            piece = new ArrayList<>();
        }
        runs.add(new HistoryLogReader.Run(write(runs.size(), piece), List.of(), false));
        return runs;
    }

    private List<Line> timeline() {
        List<List<Line>> logs = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) logs.add(read(s));
        Comparator<Line> order = Comparator.comparingLong(Line::time)
                .thenComparingInt(Line::priority)
                .thenComparingInt(Line::source);
        PriorityQueue<Line> heads = new PriorityQueue<>(order);
        for (List<Line> l : logs) if (!l.isEmpty()) heads.add(l.get(0));
        List<Line> out = new ArrayList<>();
        while (!heads.isEmpty()) {
            Line next = heads.poll();
            out.add(next);
            List<Line> rest = logs.get(next.source());
            if (next.index() + 1 < rest.size()) heads.add(rest.get(next.index() + 1));
        }
        return out;
    }

    private List<Line> read(int source) {
        String text;
        try {
            text = Files.readString(sources.get(source).log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Line> lines = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = text.indexOf('\n', start);
            if (end < 0) break; // the rest, if any, was cut off by a kill
            String line = text.substring(start, end);
            String[] f = line.split(" ", 3);
            lines.add(new Line(Long.parseLong(f[0]), priority(f[1]), source, lines.size(), line));
            start = end + 1;
        }
        return lines;
    }

    /** Causal order of record types written in the same millisecond by different processes. */
    private static int priority(String type) {
        return "SARDCKLE".indexOf(type);
    }

    private Path write(int run, List<String> lines) {
        Path file = dir.resolve("merged-" + run + ".log");
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
