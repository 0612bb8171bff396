package dev.tether.testkit;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.util.List;

/**
 * A store written against an older SPI, implementing only the abstract methods of {@link Store}, keeps the key-value
 * contract: {@link Store#readNewestKeys} (rule 29) then takes its default, which pages through {@link
 * Store#readKeys}.
 */
class OldSpiKeyValueTest extends KeyValueContract {
    /** Implements what every store must, and nothing with a default: {@code readNewestKeys} is the SPI's. */
    private static final class OldStore implements Store {
        final InMemoryStore memory;

        OldStore(InMemoryStore memory) {
            this.memory = memory;
        }

        @Override
        public Durability maxDurability() {
            return memory.maxDurability();
        }

        @Override
        public StoredState open(Durability durability) {
            return memory.open(durability);
        }

        @Override
        public void commit(WriteBatch batch) {
            memory.commit(batch);
        }

        @Override
        public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
            return memory.readOutbox(to, lane, fromSeq, max);
        }

        @Override
        public List<ChannelMessage> readChannel(String channel, long fromSeq, int max) {
            return memory.readChannel(channel, fromSeq, max);
        }

        @Override
        public StoredChannels readChannels() {
            return memory.readChannels();
        }

        @Override
        public List<DeadLetter> readDeadLetters(int max) {
            return memory.readDeadLetters(max);
        }

        @Override
        public List<KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max) {
            return memory.readKeys(namespace, afterKey, nowMillis, max);
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    @Override
    protected Store newStore() {
        return new OldStore(new InMemoryStore());
    }

    @Override
    protected Store reopen(Store previous) {
        return new OldStore(((OldStore) previous).memory.reopenAfterCrash());
    }
}
