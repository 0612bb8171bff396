package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.Store;
import dev.tether.spi.StoreProvider;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Makes {@link SqliteStore} the default store: a node configured without a store keeps it in {@code
 * tether-<nodeId>.db} in its {@linkplain dev.tether.node.TetherConfig.Builder#storeDirectory store directory}.
 * Registered through {@code META-INF/services} and the module's {@code provides}; applications do not call it.
 */
public final class SqliteStoreProvider implements StoreProvider {
    /** The embedded default outranks stores that do not register a higher priority. */
    public static final int PRIORITY = 100;

    /** Called by {@link java.util.ServiceLoader}. */
    public SqliteStoreProvider() {}

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Durability maxDurability() {
        return Durability.FSYNC;
    }

    @Override
    public Path locate(NodeId node, Path directory) {
        Objects.requireNonNull(node, "node");
        return Objects.requireNonNull(directory, "directory").resolve("tether-" + node.value() + ".db");
    }

    @Override
    public Store create(NodeId node, Path directory) {
        return new SqliteStore(locate(node, directory));
    }
}
