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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the history logs of several node processes that ran at the same time, some of them SIGKILLed and
 * restarted, into the sequence of runs {@link HistoryLogReader} expects, and checks it with {@link
 * HistoryChecker}.
 *
 * <p><b>How.</b> All logs are merged into one timeline ordered by the records' wall-clock millisecond; within one
 * millisecond by what must come first causally (a send before its log row, acceptance or delivery, a delivery before
 * the cursor commit covering it, that before the trim or the reader row that follows from it), then each log's own
 * order. A trim or reader row the sender logged just before the receiver logged the cursor commit it follows from
 * is moved after it (see {@link #acksAfterTheirCursors}); a reader's first row (its join) and a removal are not. The
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

    private static final long ACK_SKEW_MILLIS = 500;

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
        List<Line> all = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) all.addAll(read(s));
        // Within one millisecond the causal order of record types decides; a log's own order is kept otherwise.
        all.sort(Comparator.comparingLong(Line::time)
                .thenComparingInt(Line::priority)
                .thenComparingInt(Line::source)
                .thenComparingInt(Line::index));
        return acksAfterTheirCursors(all);
    }

    /**
     * A sender trims (logs K), and a publisher moves a reader's row (logs W), once the receiver's cursor commit came
     * back as an acknowledgment, but the receiver
     * logs its commit (C) only after the commit returned, so on a busy machine the receiver's record can land a
     * few milliseconds after the sender's. A K whose covering C follows within {@link #ACK_SKEW_MILLIS} is moved
     * right after that C; one not covered by then stays where it was, so a real premature acknowledgment is
     * still reported.
     */
    private static List<Line> acksAfterTheirCursors(List<Line> lines) {
        Map<String, Long> cursor = new HashMap<>();
        Map<String, ArrayDeque<Line>> held = new HashMap<>();
        Set<String> readers = new HashSet<>();
        List<Line> out = new ArrayList<>(lines.size());
        for (Line line : lines) {
            for (ArrayDeque<Line> q : held.values()) {
                while (!q.isEmpty() && line.time() - q.peekFirst().time() > ACK_SKEW_MILLIS) out.add(q.pollFirst());
            }
            String[] f = line.text().split(" ");
            if (f[1].equals("W") && !movesAReader(f, readers)) {
                // a join or a removal: no cursor commit of the reader precedes it; moves held before it go first
                ArrayDeque<Line> q = held.get(f[2] + ">" + f[3] + "/" + f[4]);
                while (q != null && !q.isEmpty()) out.add(q.pollFirst());
                out.add(line);
                continue;
            }
            if (f[1].equals("K") || f[1].equals("W")) { // time K|W sender to lane upTo
                String stream = f[2] + ">" + f[3] + "/" + f[4];
                ArrayDeque<Line> q = held.computeIfAbsent(stream, k -> new ArrayDeque<>());
                if (q.isEmpty() && Long.parseLong(f[5]) <= cursor.getOrDefault(stream, 0L)) out.add(line);
                else q.addLast(line);
                continue;
            }
            out.add(line);
            if (f[1].equals("C")) { // time C receiver sender lane upTo
                String stream = f[3] + ">" + f[2] + "/" + f[4];
                long upTo = cursor.merge(stream, Long.parseLong(f[5]), Math::max);
                ArrayDeque<Line> q = held.getOrDefault(stream, new ArrayDeque<>());
                while (!q.isEmpty() && Long.parseLong(q.peekFirst().text().split(" ")[5]) <= upTo) {
                    out.add(q.pollFirst());
                }
            }
        }
        for (ArrayDeque<Line> q : held.values()) out.addAll(q);
        return out;
    }

    /**
     * Whether reader row {@code f} ({@code time W publisher reader lane cursor}) moves the cursor of a reader that has
     * a row already, which follows from the reader's cursor commit as a trim does; {@code readers} tracks who is one.
     */
    private static boolean movesAReader(String[] f, Set<String> readers) {
        String stream = f[2] + ">" + f[3] + "/" + f[4];
        if (Long.parseLong(f[5]) < 0) {
            readers.remove(stream);
            return false;
        }
        return !readers.add(stream);
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
        return "SPARDCWKLE".indexOf(type);
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
