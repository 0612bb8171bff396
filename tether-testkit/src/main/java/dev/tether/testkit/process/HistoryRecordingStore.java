package dev.tether.testkit.process;

import dev.tether.Channels;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;

/**
 * A {@link Store} that delegates everything and, after each commit returned, records the cursors, trims, channel
 * publishes and reader rows it made durable in a {@link HistoryLog}: the facts the history checker needs to tell allowed duplicates (a
 * redelivery of a message processed but not yet covered by a committed cursor) from forbidden ones. Same
 * threading as the store it wraps.
 */
public final class HistoryRecordingStore extends ForwardingStore {
    private final String node;
    private final HistoryLog log;

    /** Wraps {@code delegate}, the store of node {@code node}, recording into {@code log}. */
    public HistoryRecordingStore(Store delegate, String node, HistoryLog log) {
        super(delegate);
        this.node = node;
        this.log = log;
    }

    @Override
    public void commit(WriteBatch batch) {
        delegate().commit(batch);
        // Recorded only after the commit returned: a record never claims more than is durable.
        for (InboundCursor c : batch.cursors()) {
            log.cursorCommitted(node, c.from().value(), c.lane(), c.processedSeq());
        }
        for (WriteBatch.Trim t : batch.trims()) log.trimmed(node, t.to().value(), t.lane(), t.upToSeq());
        // As the store applies them: publishes, then reader rows.
        for (ChannelMessage m : batch.publishes()) {
            log.published(node, Channels.lane(m.channel()), m.seq(), HistoryLog.msgIdOf(m.payload()));
        }
        for (WriteBatch.ReaderUpdate u : batch.readerUpdates()) {
            log.readerRow(node, u.reader().value(), Channels.lane(u.channel()), u.removed() ? -1 : u.ackedSeq());
        }
    }
}
