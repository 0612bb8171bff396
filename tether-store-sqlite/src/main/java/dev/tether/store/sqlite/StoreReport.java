package dev.tether.store.sqlite;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link StoreInspector} found in a store file: one consistent snapshot of its metadata, outbound
 * backlog, inbound cursors, known peer epochs and dead letters. Immutable and thread-safe; {@link #toText()} is
 * for people, {@link #toJson()} for tools.
 *
 * @param file the store file
 * @param fileBytes size of the database file
 * @param walBytes size of its write-ahead log ({@code -wal} file), 0 if there is none
 * @param schemaVersion the schema version recorded in the file
 * @param epoch this store's epoch (its incarnation; peers know it)
 * @param outbound every outbound stream, by peer and lane
 * @param inbound every inbound cursor, by peer and lane
 * @param peerEpochs the last epoch seen from each peer
 * @param deadLetterCount how many dead letters the file holds
 * @param deadLetters the oldest of them, at most as many as asked for
 */
public record StoreReport(
        Path file,
        long fileBytes,
        long walBytes,
        int schemaVersion,
        long epoch,
        List<Outbound> outbound,
        List<Inbound> inbound,
        List<PeerEpoch> peerEpochs,
        long deadLetterCount,
        List<DeadLetterSummary> deadLetters) {

    /** Copies the lists, so the report stays as it was read. */
    public StoreReport {
        Objects.requireNonNull(file, "file");
        outbound = List.copyOf(outbound);
        inbound = List.copyOf(inbound);
        peerEpochs = List.copyOf(peerEpochs);
        deadLetters = List.copyOf(deadLetters);
    }

    /**
     * One outbound stream: messages to {@code peer} on {@code lane} not yet acknowledged ("pending").
     *
     * @param pending messages in the outbox
     * @param firstSeq lowest pending sequence number, 0 if none
     * @param lastSeq highest pending sequence number, 0 if none
     * @param pendingBytes payload and header bytes of the pending messages
     * @param ackedSeq everything up to here was acknowledged by the receiver and deleted
     * @param lastAssignedSeq the last sequence number ever assigned on the stream
     */
    public record Outbound(
            String peer,
            String lane,
            long pending,
            long firstSeq,
            long lastSeq,
            long pendingBytes,
            long ackedSeq,
            long lastAssignedSeq) {}

    /** The receive cursor of messages from {@code peer} on {@code lane}, sent by the peer's epoch {@code senderEpoch}. */
    public record Inbound(String peer, String lane, long senderEpoch, long processedSeq) {}

    /** The last epoch seen from {@code peer}. */
    public record PeerEpoch(String peer, long epoch) {}

    /** A dead letter without its payload: where it came from, why it failed, and how big it is. */
    public record DeadLetterSummary(
            String peer,
            String lane,
            long senderEpoch,
            long seq,
            int attempts,
            String reason,
            long atMillis,
            long payloadBytes) {}

    /** Total pending messages over all outbound streams. */
    public long pendingTotal() {
        return outbound.stream().mapToLong(Outbound::pending).sum();
    }

    /** A plain-text report, one section per part, for a terminal. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append("store ").append(file).append('\n');
        b.append("  file ")
                .append(fileBytes)
                .append(" bytes, wal ")
                .append(walBytes)
                .append(" bytes\n");
        b.append("  schema version ")
                .append(schemaVersion)
                .append(", epoch ")
                .append(epoch)
                .append('\n');
        b.append("outbound: ").append(pendingTotal()).append(" pending in ").append(outbound.size());
        b.append(" streams\n");
        for (Outbound o : outbound) {
            b.append("  ")
                    .append(o.peer())
                    .append('/')
                    .append(o.lane())
                    .append(": ")
                    .append(o.pending());
            b.append(" pending");
            if (o.pending() > 0) {
                b.append(" (seq ")
                        .append(o.firstSeq())
                        .append("..")
                        .append(o.lastSeq())
                        .append(", ");
                b.append(o.pendingBytes()).append(" bytes)");
            }
            b.append(", acked ").append(o.ackedSeq()).append(", last assigned ").append(o.lastAssignedSeq());
            b.append('\n');
        }
        b.append("inbound: ").append(inbound.size()).append(" cursors\n");
        for (Inbound i : inbound) {
            b.append("  ").append(i.peer()).append('/').append(i.lane()).append(": processed ");
            b.append(i.processedSeq())
                    .append(" (sender epoch ")
                    .append(i.senderEpoch())
                    .append(")\n");
        }
        b.append("peers: ").append(peerEpochs.size()).append('\n');
        for (PeerEpoch p : peerEpochs) {
            b.append("  ").append(p.peer()).append(": epoch ").append(p.epoch()).append('\n');
        }
        b.append("dead letters: ").append(deadLetterCount);
        if (deadLetters.size() < deadLetterCount)
            b.append(" (oldest ").append(deadLetters.size()).append(" shown)");
        b.append('\n');
        for (DeadLetterSummary d : deadLetters) {
            b.append("  ")
                    .append(d.peer())
                    .append('/')
                    .append(d.lane())
                    .append('#')
                    .append(d.seq());
            b.append(" after ").append(d.attempts()).append(" attempts at ").append(d.atMillis());
            b.append(" (")
                    .append(d.payloadBytes())
                    .append(" bytes): ")
                    .append(d.reason())
                    .append('\n');
        }
        return b.toString();
    }

    /** The report as one JSON object (field names as in this record; times in epoch milliseconds). */
    public String toJson() {
        Json j = new Json();
        j.open('{');
        j.field("file").string(file.toString());
        j.field("fileBytes").number(fileBytes);
        j.field("walBytes").number(walBytes);
        j.field("schemaVersion").number(schemaVersion);
        j.field("epoch").number(epoch);
        j.field("pendingTotal").number(pendingTotal());
        j.field("outbound").open('[');
        for (Outbound o : outbound) {
            j.element().open('{');
            j.field("peer").string(o.peer());
            j.field("lane").string(o.lane());
            j.field("pending").number(o.pending());
            j.field("firstSeq").number(o.firstSeq());
            j.field("lastSeq").number(o.lastSeq());
            j.field("pendingBytes").number(o.pendingBytes());
            j.field("ackedSeq").number(o.ackedSeq());
            j.field("lastAssignedSeq").number(o.lastAssignedSeq());
            j.close('}');
        }
        j.close(']');
        j.field("inbound").open('[');
        for (Inbound i : inbound) {
            j.element().open('{');
            j.field("peer").string(i.peer());
            j.field("lane").string(i.lane());
            j.field("senderEpoch").number(i.senderEpoch());
            j.field("processedSeq").number(i.processedSeq());
            j.close('}');
        }
        j.close(']');
        j.field("peerEpochs").open('[');
        for (PeerEpoch p : peerEpochs) {
            j.element().open('{');
            j.field("peer").string(p.peer());
            j.field("epoch").number(p.epoch());
            j.close('}');
        }
        j.close(']');
        j.field("deadLetterCount").number(deadLetterCount);
        j.field("deadLetters").open('[');
        for (DeadLetterSummary d : deadLetters) {
            j.element().open('{');
            j.field("peer").string(d.peer());
            j.field("lane").string(d.lane());
            j.field("senderEpoch").number(d.senderEpoch());
            j.field("seq").number(d.seq());
            j.field("attempts").number(d.attempts());
            j.field("reason").string(d.reason());
            j.field("atMillis").number(d.atMillis());
            j.field("payloadBytes").number(d.payloadBytes());
            j.close('}');
        }
        j.close(']');
        j.close('}');
        return j.toString();
    }

    /** A minimal JSON writer: commas between members, strings escaped per RFC 8259. */
    private static final class Json {
        private final StringBuilder b = new StringBuilder();
        private boolean first = true;

        Json open(char c) {
            b.append(c);
            first = true;
            return this;
        }

        Json close(char c) {
            b.append(c);
            first = false;
            return this;
        }

        Json element() {
            if (!first) b.append(',');
            first = false;
            return this;
        }

        Json field(String name) {
            element();
            b.append('"').append(name).append("\":");
            return this;
        }

        void number(long n) {
            b.append(n);
            first = false;
        }

        void string(String s) {
            if (s == null) {
                b.append("null");
                first = false;
                return;
            }
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                        else b.append(c);
                    }
                }
            }
            b.append('"');
            first = false;
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }
}
