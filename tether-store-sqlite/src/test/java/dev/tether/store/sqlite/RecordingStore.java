package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.process.HistoryLog;
import java.util.List;

/**
 * A {@link Store} that passes everything to another one and, after each commit returned, records the cursors and
 * trims it made durable in a {@link HistoryLog}: the facts the history checker needs to decide which duplicates
 * are allowed (none after a cursor commit) and which acknowledgments were premature. Same threading as the
 * store it wraps.
 */
final class RecordingStore implements Store {
    private final Store delegate;
    private final String node;
    private final HistoryLog log;

    RecordingStore(Store delegate, String node, HistoryLog log) {
        this.delegate = delegate;
        this.node = node;
        this.log = log;
    }

    @Override
    public Durability maxDurability() {
        return delegate.maxDurability();
    }

    @Override
    public StoredState open(Durability durability) {
        return delegate.open(durability);
    }

    @Override
    public void commit(WriteBatch batch) {
        delegate.commit(batch);
        for (InboundCursor c : batch.cursors()) {
            log.cursorCommitted(node, c.from().value(), c.lane(), c.processedSeq());
        }
        for (WriteBatch.Trim t : batch.trims()) log.trimmed(node, t.to().value(), t.lane(), t.upToSeq());
    }

    @Override
    public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        return delegate.readOutbox(to, lane, fromSeq, max);
    }

    @Override
    public List<DeadLetter> readDeadLetters(int max) {
        return delegate.readDeadLetters(max);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
