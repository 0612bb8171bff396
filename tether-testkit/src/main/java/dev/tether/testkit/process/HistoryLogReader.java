package dev.tether.testkit.process;

import dev.tether.Channels;
import dev.tether.testkit.sim.HistoryEvent;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Acked;
import dev.tether.testkit.sim.HistoryEvent.Anomaly;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import dev.tether.testkit.sim.HistoryEvent.Rejected;
import dev.tether.testkit.sim.HistoryEvent.Restarted;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import dev.tether.testkit.sim.HistoryEvent.Stuck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the {@link HistoryLog}s of successive runs of a process into one history for {@link
 * dev.tether.testkit.sim.HistoryChecker}.
 *
 * <p><b>Runs.</b> Each {@link Run} is one process: its log file, its nodes, and whether it was killed. After a
 * killed run every node of it gets a {@link Crashed} event (and a {@link Restarted} one before the next run),
 * which is what allows a flagged redelivery of a message processed but not yet covered by a committed cursor.
 * Only a killed run's last line may be cut off; it is then ignored.
 *
 * <p><b>Commits the log cannot see.</b> A process can be killed after its store committed a send but before
 * the {@code accepted()} future's record reached the log. The message is then delivered later although no
 * {@code A} record names its sequence number. The reader adds its {@link Committed} event just before the first
 * delivery, but only if the delivery's message id was recorded as being sent on that very stream, its payload
 * checksum matches that id, and no other sequence number of the stream was committed for that id; anything else
 * stays a phantom (or becomes an {@link Anomaly}) for the checker to report. At the end, a final stream record
 * ({@link HistoryLog#finalStream}) makes every sequence number up to the stream's last one count as committed,
 * so a number whose message was neither logged nor ever delivered is reported lost, and a stream that did not
 * drain is reported as a {@link Stuck} liveness failure.
 *
 * <p><b>Channels.</b> A publish is recorded as a send to the publisher itself on the channel's lane; its log row
 * ({@link HistoryLog#published}, recorded after the commit) is what makes it owed to the readers whose rows ({@link
 * HistoryLog#readerRow}) start before it. A row whose record a kill cut off is added before the first delivery of
 * the message, under the same conditions as a commit above. Cursors, trims and final states of lanes of Tether's own
 * layers (reserved names other than channel lanes) are skipped: the log has no record of their sends.
 *
 * <p><b>Threading.</b> Stateless; {@link #read} is safe from any thread.
 */
public final class HistoryLogReader {
    private HistoryLogReader() {}

    /**
     * One run of the process.
     *
     * @param log its history log
     * @param nodes the node names it hosted (each crashes if the run was killed)
     * @param killed whether the run ended by SIGKILL (else it ended cleanly)
     */
    public record Run(Path log, List<String> nodes, boolean killed) {
        public Run {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * Reads {@code runs} in order; {@code payloadSize} is the size every {@link HistoryLog#payloadFor} payload
     * was made with.
     *
     * @throws UncheckedIOException if a log cannot be read
     * @throws IllegalArgumentException if a line is malformed (other than a killed run's cut-off last line)
     */
    public static List<HistoryEvent> read(List<Run> runs, int payloadSize) {
        Reader r = new Reader(payloadSize);
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            if (i > 0) {
                for (String n : run.nodes()) r.out.add(new Restarted(r.time, n));
            }
            r.readRun(run);
            if (run.killed()) {
                for (String n : run.nodes()) r.out.add(new Crashed(r.time, n));
            }
        }
        r.finish();
        return r.out;
    }

    private record Stream(String sender, String receiver, String lane) {}

    private record Intent(String node, String to, String lane) {}

    private record Log(String publisher, String lane) {}

    /**
     * Whether {@code lane} carries messages Tether's own layers send (joins and leaves of channels, calls' replies):
     * their sends are not in the log, so their cursors, trims and final states are not checked.
     */
    private static boolean isLayerLane(String lane) {
        return lane.startsWith("_") && !Channels.isChannelLane(lane);
    }

    private static boolean isPublish(String node, String to, String lane) {
        return node.equals(to) && Channels.isChannelLane(lane);
    }

    private record FinalStream(Stream stream, long lastSeq, long ackedSeq, long time) {}

    private static final class Reader {
        final int payloadSize;
        final List<HistoryEvent> out = new ArrayList<>();
        final Map<Long, Intent> intents = new HashMap<>();
        /** (stream, seq) -> msgId of every Committed emitted. */
        final Map<Stream, Map<Long, Long>> committed = new HashMap<>();
        /** msgId -> seq it was committed as. */
        final Map<Long, Long> seqOfMsg = new HashMap<>();

        final Map<Long, Long> expectedCrc = new HashMap<>();
        /** (publisher, lane) -> seq -> msgId of every Published emitted. */
        final Map<Log, Map<Long, Long>> publishes = new HashMap<>();

        final List<FinalStream> finals = new ArrayList<>();
        long time;

        Reader(int payloadSize) {
            this.payloadSize = payloadSize;
        }

        void readRun(Run run) {
            String text;
            try {
                text = Files.readString(run.log(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read history log " + run.log(), e);
            }
            int start = 0;
            int lineNo = 0;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                lineNo++;
                if (end < 0) {
                    if (!run.killed()) {
                        throw new IllegalArgumentException(run.log() + ":" + lineNo
                                + ": last line is cut off although the run ended cleanly: " + text.substring(start));
                    }
                    break; // cut off by the kill
                }
                String line = text.substring(start, end);
                try {
                    line(line.split(" "));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(run.log() + ":" + lineNo + ": bad line '" + line + "': " + e, e);
                }
                start = end + 1;
            }
        }

        void line(String[] f) {
            time = Math.max(time, Long.parseLong(f[0]));
            if ("CKL".contains(f[1]) && isLayerLane(f[4])) return; // messages of Tether's own, not the workload's
            switch (f[1]) {
                case "S" -> sending(f[2], f[3], f[4], Long.parseLong(f[5]));
                case "A" -> accepted(f[2], f[3], f[4], Long.parseLong(f[5]), Long.parseLong(f[6]));
                case "R" -> out.add(new Rejected(time, f[2], Long.parseLong(f[3]), f[4]));
                case "D" -> delivered(f);
                case "C" -> out.add(new CursorCommitted(time, f[2], f[3], f[4], Long.parseLong(f[5])));
                case "K" -> out.add(new Acked(time, f[2], f[3], f[4], Long.parseLong(f[5])));
                case "L" ->
                    finals.add(new FinalStream(
                            new Stream(f[2], f[3], f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), time));
                case "E" -> out.add(new Anomaly(time, f[2], f[3]));
                case "P" -> published(f[2], f[3], Long.parseLong(f[4]), Long.parseLong(f[5]));
                case "W" -> out.add(new ReaderRow(time, f[2], f[3], f[4], Long.parseLong(f[5])));
                default -> throw new IllegalArgumentException("unknown record type " + f[1]);
            }
        }

        void sending(String node, String to, String lane, long msgId) {
            Intent before = intents.putIfAbsent(msgId, new Intent(node, to, lane));
            if (before != null) out.add(new Anomaly(time, node, "message id " + msgId + " sent twice"));
            out.add(new Sent(time, node, msgId, msgId, to, lane));
        }

        void accepted(String node, String to, String lane, long msgId, long seq) {
            // a publish (a send to itself on a channel lane) is committed by its log row, recorded before
            if (!isPublish(node, to, lane)) commit(new Stream(node, to, lane), seq, msgId);
            out.add(new Accepted(time, node, msgId, to, lane, seq));
        }

        /** Emits the commit of (stream, seq) unless that exact commit was emitted already. */
        void commit(Stream s, long seq, long msgId) {
            Long known = committed.computeIfAbsent(s, k -> new HashMap<>()).get(seq);
            if (known != null && known == msgId) return;
            Long otherSeq = seqOfMsg.putIfAbsent(msgId, seq);
            if (otherSeq != null && otherSeq != seq) {
                out.add(new Anomaly(
                        time, s.sender(), "message id " + msgId + " committed as #" + otherSeq + " and as #" + seq));
            }
            if (known == null) committed.get(s).put(seq, msgId);
            // A second, different commit of one seq is passed on: the checker reports the reuse.
            out.add(new Committed(time, s.sender(), s.receiver(), s.lane(), seq, msgId, 0));
        }

        /** Emits the log row of (publisher, lane, seq) unless it was emitted already. */
        void published(String publisher, String lane, long seq, long msgId) {
            if (publishes
                            .computeIfAbsent(new Log(publisher, lane), k -> new HashMap<>())
                            .putIfAbsent(seq, msgId)
                    != null) {
                return; // recorded by the commit and then again, after a kill, from a delivery
            }
            out.add(new Published(time, publisher, lane, seq, msgId, 0));
        }

        void delivered(String[] f) {
            String receiver = f[2], sender = f[3], lane = f[4];
            long seq = Long.parseLong(f[5]);
            long msgId = Long.parseLong(f[6]);
            boolean redelivery = "1".equals(f[7]);
            int attempt = Integer.parseInt(f[8]);
            long crc = Long.parseLong(f[9]);
            Stream s = new Stream(sender, receiver, lane);
            long expected =
                    expectedCrc.computeIfAbsent(msgId, id -> HistoryLog.crc(HistoryLog.payloadFor(id, payloadSize)));
            boolean intact = crc == expected;
            if (!intact) {
                out.add(new Anomaly(
                        time, receiver, "payload of " + s + "#" + seq + " does not match message " + msgId));
            }
            Map<Long, Long> c = committed.computeIfAbsent(s, k -> new HashMap<>());
            Intent intent = intents.get(msgId);
            if (!c.containsKey(seq)
                    && intact
                    && intent != null
                    && intent.equals(new Intent(sender, receiver, lane))
                    && !seqOfMsg.containsKey(msgId)) {
                commit(s, seq, msgId); // committed by a run killed before it logged the acceptance
            }
            if (isPublish(sender, sender, lane)
                    && intact
                    && new Intent(sender, sender, lane).equals(intent)
                    && !publishes.getOrDefault(new Log(sender, lane), Map.of()).containsKey(seq)) {
                published(sender, lane, seq, msgId); // a log row whose record a kill cut off
            }
            out.add(new Delivered(time, receiver, sender, lane, seq, msgId, redelivery, attempt, true));
        }

        void finish() {
            for (FinalStream fs : finals) {
                if (Channels.isChannelLane(
                        fs.stream().lane())) { // a reader stream: its log rows say what was committed
                    if (fs.ackedSeq() != fs.lastSeq()) {
                        out.add(new Stuck(
                                fs.time(), fs.stream() + " ended at acked " + fs.ackedSeq() + " of " + fs.lastSeq()));
                    }
                    continue;
                }
                Map<Long, Long> c = committed.computeIfAbsent(fs.stream(), k -> new HashMap<>());
                Set<Long> missing = new TreeSet<>();
                for (long seq = 1; seq <= fs.lastSeq(); seq++) {
                    if (!c.containsKey(seq)) missing.add(seq);
                }
                for (long seq : missing) {
                    // Committed (the store's last seq says so) but neither logged nor delivered: lost.
                    out.add(new Committed(
                            fs.time(),
                            fs.stream().sender(),
                            fs.stream().receiver(),
                            fs.stream().lane(),
                            seq,
                            -1,
                            0));
                }
                if (fs.ackedSeq() != fs.lastSeq()) {
                    out.add(new Stuck(
                            fs.time(), fs.stream() + " ended at acked " + fs.ackedSeq() + " of " + fs.lastSeq()));
                }
            }
        }
    }
}
