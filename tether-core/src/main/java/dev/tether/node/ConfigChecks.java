package dev.tether.node;

import dev.tether.AckMode;
import dev.tether.Durability;
import dev.tether.InvalidConfigException;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.TransactionalCallHandler;
import dev.tether.TransactionalHandler;
import dev.tether.internal.call.HandlerSpec;
import dev.tether.internal.runtime.TransactionalConsumer;
import dev.tether.spi.Store;
import dev.tether.spi.StoreProvider;
import dev.tether.spi.Transport;
import java.nio.file.Path;
import java.util.Collection;

/** The checks and defaults {@link TetherConfig.Builder#build()} applies across settings. */
final class ConfigChecks {
    private ConfigChecks() {}

    /** The store supports the durability, and the transactions of a transactional handler if there is one. */
    static void storeSupports(
            Durability durability,
            MessageHandler handler,
            AckMode ackMode,
            Collection<HandlerSpec> named,
            Store store) {
        if (durability.compareTo(store.maxDurability()) > 0) {
            throw new InvalidConfigException("durability " + durability + " is stronger than the store "
                    + store.getClass().getSimpleName() + " supports (" + store.maxDurability() + ")");
        }
        if (handler instanceof TransactionalHandler.InTransaction<?> t) {
            TransactionalConsumer.check("handler", t.type(), store);
            if (ackMode != AckMode.AUTO) {
                throw new InvalidConfigException("ackMode " + ackMode + ": a transactional handler acknowledges by"
                        + " returning, in the transaction of its writes (AckMode.AUTO)");
            }
        }
        for (HandlerSpec h : named) {
            if (h.sync() instanceof TransactionalCallHandler.InTransaction<?> t) {
                TransactionalConsumer.check("handle(" + h.name() + ")", t.type(), store);
            }
        }
    }

    /** The given maximum, or the default the transport's frames allow; either must fit a frame with its overhead. */
    static int maxMessageBytes(Integer given, Transport transport) {
        int overhead = TetherConfig.FRAME_OVERHEAD;
        int maxMessage = given != null
                ? given
                : Math.min(TetherConfig.DEFAULT_MAX_MESSAGE_BYTES, transport.maxFrameBytes() - overhead);
        int needed = maxMessage + overhead;
        if (maxMessage < 1 || transport.maxFrameBytes() < needed) {
            throw new InvalidConfigException("maxMessageBytes " + maxMessage + " needs frames of " + needed
                    + " bytes but the transport carries at most " + transport.maxFrameBytes());
        }
        return maxMessage;
    }

    static Store defaultStore(NodeId nodeId, Path storeDirectory) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        StoreProvider provider = DefaultStores.find(loader != null ? loader : TetherConfig.class.getClassLoader())
                .orElseThrow(() -> new InvalidConfigException("no store given and no default store on the class"
                        + " path: add tether-store-sqlite (the embedded default) or call store(...)"));
        return provider.create(nodeId, storeDirectory);
    }
}
