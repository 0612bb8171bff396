package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * What a store batch being committed will change once it is durable, grouped by the unit that wrote it: the
 * sender streams' appends and trims, the receiver streams' cursors (with the outcomes to report after them) and
 * dead letters, the peers' epochs. If the batch fails, each unit takes its writes back ({@code retryLater}).
 */
final class Batch {
    final long id;
    /** An early batch for sends above the default level ({@link StoreBatches#startDue}). */
    boolean early;

    /** The sends appended, with their streams and numbered messages. */
    final BatchAppends appended = new BatchAppends();

    final List<Trimmed> trimmed = new ArrayList<>();
    /** Withdrawal marks put or deleted ({@link SenderWithdrawals}). */
    final List<Mark> marks = new ArrayList<>();
    /** Drops (DROP_OLDEST) this batch stores, by its trims or records ({@link SenderDrops}). */
    final List<Dropped> drops = new ArrayList<>();
    /** Records of drops deleted as read at a restart for no stream that drops ({@link SenderDrops#restore}). */
    final List<StreamKey> droppedOrphans = new ArrayList<>();

    final List<Cursor> cursors = new ArrayList<>();
    /** Marks of messages completed ahead put, and stray ones deleted ({@link AheadMarks}). */
    final List<AheadPut> aheadPuts = new ArrayList<>(0);

    final List<String> aheadStrays = new ArrayList<>(0);
    final List<DeadLetter> deadLetters = new ArrayList<>();
    /** Dead letters this batch removes (evicted, expired, or named by an operator), and the operators' requests. */
    final List<DeadLetterQueue.Removed> deadLetterRemovals = new ArrayList<>();

    final List<DeadLetterQueue.Request> deadLetterRequests = new ArrayList<>();
    final List<NodeId> peerEpochs = new ArrayList<>();
    /** Messages sent because the cursors in this batch moved (replies): appended in this same batch. */
    final List<Effect> effects = new ArrayList<>();
    /** Writes of a pattern layer's own state ({@link Engine#writeKeys}), reported by token once durable. */
    final List<LocalWrite> localWrites = new ArrayList<>();
    /** Publishes to shared logs (channels), each stored once. */
    final List<Published> published = new ArrayList<>();
    /** Reader rows written: the cursors of shared-log readers. */
    final List<ReaderRow> readerRows = new ArrayList<>();
    /** Reader rows deleted (readers removed). */
    final List<WriteBatch.ReaderUpdate> readerRemovals = new ArrayList<>();
    /** Shared logs trimmed below their lowest reader cursor. */
    final List<LogTrim> logTrims = new ArrayList<>();

    /** History entries the batch records, the trim it carries, and the settled messages it took per stream. */
    int historyEntries;

    WriteBatch.HistoryTrim historyTrim;
    final List<HistoryTaken> historyTaken = new ArrayList<>();

    Batch(long id) {
        this.id = id;
    }

    /** Publishes of {@code log} numbered as {@code messages}, in the same order. */
    record Published(SharedLog log, List<PendingSend> sends, List<ChannelMessage> messages) {}

    /** The reader row of {@code stream} (a reader of a shared log) written with cursor {@code cursor}. */
    record ReaderRow(OutStream stream, long cursor) {}

    /** The mark of message {@code seq} of {@code stream}, completed ahead ({@link AheadMarks}). */
    record AheadPut(InStream stream, long seq) {}

    /** {@code log} trimmed up to {@code upTo}. */
    record LogTrim(SharedLog log, long upTo) {}

    /**
     * The withdrawal mark of message {@code seq} of {@code stream} put or deleted ({@link WithdrawnMarks}); a mark read
     * at a restart for no stream here is deleted by {@code key} alone ({@code stream} null).
     */
    record Mark(OutStream stream, String key, long seq, boolean put) {
        Mark(OutStream stream, long seq, boolean put) {
            this(stream, null, seq, put);
        }

        Mark(OutStream stream, String key, boolean put) {
            this(stream, key, -1, put);
        }
    }

    /** The drops of messages {@code seqs} of {@code stream}, held back until this batch is durable. */
    record Dropped(OutStream stream, long[] seqs) {}

    /** The outbox of {@code stream} trimmed up to {@code upTo}. */
    record Trimmed(OutStream stream, long upTo) {}

    /**
     * The cursor of {@code stream} at {@code processed}, written for sender incarnation {@code senderEpoch};
     * {@code outcomes} are reported to the sender once it is durable; {@code effects} were appended with it.
     */
    record Cursor(InStream stream, long senderEpoch, long processed, List<Outcome> outcomes, List<Effect> effects) {}

    /** Effects written by {@link Engine#writeKeys}, reported to the owner as {@code token} once durable. */
    record LocalWrite(long token, List<Effect> effects) {}

    /** Settled messages of {@code stream} (incarnation {@code senderEpoch}) the batch records in its history. */
    record HistoryTaken(InStream stream, long senderEpoch, List<HistoryRecorder.Settled> settled) {}

    /** Message {@code seq} was settled without processing, as {@code kind} ({@link Frame.OutcomeNotice}). */
    record Outcome(long seq, int kind) {}
}
