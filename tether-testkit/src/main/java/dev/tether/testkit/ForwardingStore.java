package dev.tether.testkit;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Store} that forwards every call, including {@link Store#isNonBlocking()}, to another store.
 * Wrappers that observe a store (count commits, time them, log what became durable) extend it and override
 * only what they observe, so a method added to the SPI later reaches the wrapped store instead of silently
 * taking its default. Threading and failure are those of the wrapped store.
 */
public abstract class ForwardingStore implements Store {
    private final Store delegate;

    protected ForwardingStore(Store delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped store. */
    protected final Store delegate() {
        return delegate;
    }

    @Override
    public boolean isNonBlocking() {
        return delegate.isNonBlocking();
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
