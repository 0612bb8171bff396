package dev.tether.bench.storage;

import dev.tether.Channels;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The store's cost per channel publish against the number of readers (issue 10, item 3), at the store alone: the
 * engine does not publish to channels yet (docs/CHANNELS-DESIGN.md). Two layouts of the same work, each on a fresh
 * SQLite file per round at {@code FSYNC}, batches of {@code batch} publishes of 100 bytes, each batch also moving
 * every reader's cursor to the previous batch and trimming what all readers passed (the steady state of readers
 * keeping up):
 *
 * <ul>
 *   <li>{@code log}: Tether's channel layout: a publish is one {@code channel_log} row, a reader one cursor row;
 *   <li>{@code copies} (the peer): a copy per reader, one outbox row per reader and publish, as fan-out over
 *       plain streams would store it.
 * </ul>
 *
 * <p>Reported per layout and reader count: publishes per second (median of measured rounds after the warm-up rule),
 * CPU per publish (this JVM), and the file bytes per publish when nothing is trimmed (an offline reader's backlog,
 * measured once: it is deterministic). Usage: {@code ChannelStoreBench [--publishes N] [--batch N] [--readers
 * 1,4,64] [--layouts log,copies] [--repeat N] [--max-warmup N] [--quick]}.
 */
public final class ChannelStoreBench {
    private static final String CHANNEL = "news";
    private static final int PAYLOAD = 100;

    private ChannelStoreBench() {}

    /** The options; {@code --quick} makes every size tiny (a check that it runs; figures mean nothing). */
    record Options(int publishes, int batch, List<Integer> readers, List<String> layouts, int repeat, int maxWarmUp) {
        static Options parse(String[] args) {
            int publishes = 200_000;
            int batch = 1_000;
            List<Integer> readers = List.of(1, 4, 64);
            List<String> layouts = List.of("log", "copies");
            int repeat = Steady.REPEAT;
            int maxWarmUp = Steady.MAX_WARM_UP;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> {
                        publishes = 2_000;
                        batch = 100;
                        repeat = 1;
                        maxWarmUp = 1;
                    }
                    case "--publishes" -> publishes = Integer.parseInt(args[++i]);
                    case "--batch" -> batch = Integer.parseInt(args[++i]);
                    case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                    case "--max-warmup" -> maxWarmUp = Integer.parseInt(args[++i]);
                    case "--readers" -> readers = parseList(args[++i]);
                    case "--layouts" -> layouts = List.of(args[++i].split(","));
                    default ->
                        throw new IllegalArgumentException("unknown option " + a + "; usage: ChannelStoreBench"
                                + " [--publishes N] [--batch N] [--readers 1,4,64] [--layouts log,copies]"
                                + " [--repeat N] [--max-warmup N]"
                                + " [--quick]");
                }
            }
            if (publishes < batch || batch < 1) throw new IllegalArgumentException("need publishes >= batch >= 1");
            for (String l : layouts) {
                if (!l.equals("log") && !l.equals("copies")) {
                    throw new IllegalArgumentException("unknown layout " + l + " (log, copies)");
                }
            }
            return new Options(publishes, batch, readers, layouts, repeat, maxWarmUp);
        }

        private static List<Integer> parseList(String s) {
            List<Integer> out = new ArrayList<>();
            for (String part : s.split(",")) out.add(Integer.parseInt(part.trim()));
            return out;
        }
    }

    /** One row of the result: a layout with a reader count. */
    record Row(String layout, int readers, Series series, double bytesPerPublish, long rowsPerPublishBacklog) {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.println("# ChannelStoreBench: " + Machine.describe() + "; load " + Machine.loadAverage());
        System.out.printf(
                Locale.ROOT,
                "# %,d publishes of %d bytes per round, %,d per batch, SQLite FSYNC, readers %s%n",
                o.publishes(),
                PAYLOAD,
                o.batch(),
                o.readers());
        List<Row> rows = run(o);
        System.out.println();
        System.out.println(table(rows));
    }

    static List<Row> run(Options o) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int readers : o.readers()) {
            for (String layout : o.layouts()) {
                boolean log = layout.equals("log");
                Series s = Steady.run(
                        layout + " readers=" + readers,
                        o.maxWarmUp(),
                        o.repeat(),
                        Steady::rate,
                        () -> round(o, readers, log, true).round());
                Footprint backlog = round(o, readers, log, false).footprint();
                rows.add(new Row(
                        layout, readers, s, backlog.bytes() / (double) o.publishes(), backlog.rows() / o.publishes()));
            }
        }
        return rows;
    }

    /** What a round left in its file: rows of the layout's message table, and the file's bytes after a checkpoint. */
    record Footprint(long rows, long bytes) {}

    private record Result(Round round, Footprint footprint) {}

    /** One round on a fresh file: {@code publishes} in batches; {@code trim}: readers keep up and the store trims. */
    private static Result round(Options o, int readers, boolean log, boolean trim) throws SQLException {
        try (TempDir dir = TempDir.create()) {
            Path file = dir.file("publisher.db");
            Meter meter = Meter.start();
            long start = System.nanoTime();
            try (SqliteStore store = new SqliteStore(file)) {
                store.open(Durability.FSYNC);
                byte[] payload = new byte[PAYLOAD];
                for (long first = 1; first <= o.publishes(); first += o.batch()) {
                    long last = Math.min(o.publishes(), first + o.batch() - 1);
                    store.commit(batch(first, last, readers, log, trim, payload));
                }
            }
            Round r = meter.rate(o.publishes(), System.nanoTime() - start);
            return new Result(r, footprint(file, log));
        }
    }

    private static WriteBatch batch(long first, long last, int readers, boolean log, boolean trim, byte[] payload) {
        WriteBatch b = new WriteBatch();
        String lane = Channels.lane(CHANNEL);
        long passed = first - 1; // what every reader acknowledged: the previous batches
        for (long seq = first; seq <= last; seq++) {
            long checksum = MessageChecksum.of(lane, seq, 0, Map.of(), payload);
            if (log) {
                b.publish(new ChannelMessage(CHANNEL, seq, seq, 0, Map.of(), payload, checksum));
            } else {
                for (int r = 0; r < readers; r++) {
                    b.append(new StoredMessage(reader(r), lane, seq, 0, Map.of(), payload, checksum));
                }
            }
        }
        if (!trim || passed == 0) return b;
        for (int r = 0; r < readers; r++) {
            if (log) b.channelReader(WriteBatch.ReaderUpdate.set(CHANNEL, reader(r), passed));
            else b.trim(new WriteBatch.Trim(reader(r), lane, passed));
        }
        if (log) b.trimChannel(new WriteBatch.ChannelTrim(CHANNEL, passed));
        return b;
    }

    private static NodeId reader(int r) {
        return NodeId.of("reader-" + r);
    }

    private static Footprint footprint(Path file, boolean log) throws SQLException {
        try (Connection c = Sqlite.open(file);
                Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            long rows = single(s, "SELECT count(*) FROM " + (log ? "channel_log" : "outbox"));
            long bytes = single(s, "PRAGMA page_count") * single(s, "PRAGMA page_size");
            return new Footprint(rows, bytes);
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The rows as a Markdown table. */
    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| layout | readers | publishes/s (median; range) | CPU per publish | rows per publish (backlog) |"
                + " file bytes per publish (backlog) | load |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %,.0f (%,.0f-%,.0f) | %.2f µs | %d | %.0f | %s |%n",
                    r.layout(),
                    r.readers(),
                    r.series().median(),
                    r.series().min(),
                    r.series().max(),
                    r.series().cpuMedian() / 1e3,
                    r.rowsPerPublishBacklog(),
                    r.bytesPerPublish(),
                    r.series().loadText()));
        }
        return b.toString();
    }
}
