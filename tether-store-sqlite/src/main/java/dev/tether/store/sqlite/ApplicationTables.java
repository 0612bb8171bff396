package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.StoreException;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/**
 * Creates the application's own tables inside a Tether SQLite store, where transactional handlers write them
 * (docs/EXACTLY-ONCE.md): a Tether store refuses to open a database that is not one, so the application's tables go
 * into the store file rather than the other way round. Run it before the node starts (it takes the store's lock).
 *
 * <p>Statements should be idempotent ({@code CREATE TABLE IF NOT EXISTS ...}); they run in one transaction, all or
 * none. Names must not collide with Tether's tables ({@code meta}, {@code outbox}, {@code streams}, {@code cursors},
 * {@code dead_letters}, {@code peers}); prefix them ({@code app_...}) to be safe from tables a later version adds.
 */
public final class ApplicationTables {
    private ApplicationTables() {}

    /**
     * Opens (creating if needed) the store in {@code storeFile}, runs {@code statements} in one transaction, commits
     * and closes it.
     *
     * @throws StoreException if the store cannot be opened (in use by a running node, not a Tether store) or a
     *     statement fails; nothing of them is then stored
     */
    public static void create(Path storeFile, String... statements) {
        List<String> ddl = List.of(statements);
        try (SqliteStore store = new SqliteStore(Objects.requireNonNull(storeFile, "storeFile"))) {
            store.open(Durability.FSYNC);
            try {
                store.runInTransaction(tx -> {
                    try (Statement s = tx.connection().createStatement()) {
                        for (String sql : ddl) s.execute(sql);
                    }
                });
            } catch (Exception e) {
                throw new StoreException("cannot create the application's tables in " + storeFile + ": " + e, e);
            }
            store.commit(new WriteBatch());
        }
    }
}
