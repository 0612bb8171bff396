package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.StoredMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What a store batch being committed will change once it is durable, grouped by the unit that wrote it: the
 * sender streams' appends and trims, the receiver streams' cursors (with the outcomes to report after them) and
 * dead letters, the peers' epochs. If the batch fails, each unit takes its writes back ({@code retryLater}).
 */
final class Batch {
    final long id;
    final List<Appended> appended = new ArrayList<>();
    final List<Trimmed> trimmed = new ArrayList<>();
    final List<Cursor> cursors = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<NodeId> peerEpochs = new ArrayList<>();
    /** Messages sent because the cursors in this batch moved (replies): appended in this same batch. */
    final List<Effect> effects = new ArrayList<>();
    /** Writes of a pattern layer's own state ({@link Engine#writeKeys}), reported by token once durable. */
    final List<LocalWrite> localWrites = new ArrayList<>();

    Batch(long id) {
        this.id = id;
    }

    /** Sends of {@code stream} appended as {@code stored}, in the same order. */
    record Appended(OutStream stream, List<OutStream.PendingSend> sends, List<StoredMessage> stored) {}

    /** The outbox of {@code stream} trimmed up to {@code upTo}. */
    record Trimmed(OutStream stream, long upTo) {}

    /**
     * The cursor of {@code stream} at {@code processed}, written for sender incarnation {@code senderEpoch};
     * {@code outcomes} are reported to the sender once it is durable; {@code effects} were appended with it.
     */
    record Cursor(InStream stream, long senderEpoch, long processed, List<Outcome> outcomes, List<Effect> effects) {}

    /** Effects written by {@link Engine#writeKeys}, reported to the owner as {@code token} once durable. */
    record LocalWrite(long token, List<Effect> effects) {}

    /** Message {@code seq} was settled without processing, as {@code kind} ({@link Frame.OutcomeNotice}). */
    record Outcome(long seq, int kind) {}
}
