package dev.tether.bench.storage;

import dev.tether.spi.TransactionalStore;
import dev.tether.spi.WriteBatch;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.store.sqlite.SqliteTransaction;

/** A {@link CountingStore} over a SQLite store that keeps its transactions available to transactional handlers. */
final class CountingTransactionalStore extends CountingStore implements TransactionalStore<SqliteTransaction> {
    private final SqliteStore sqlite;

    CountingTransactionalStore(SqliteStore delegate) {
        super(delegate);
        this.sqlite = delegate;
    }

    @Override
    public Class<SqliteTransaction> transactionType() {
        return sqlite.transactionType();
    }

    @Override
    public void runInTransaction(Work<SqliteTransaction> work) throws Exception {
        sqlite.runInTransaction(work);
    }

    @Override
    public void runReplayable(Work<SqliteTransaction> work) throws Exception {
        sqlite.runReplayable(work);
    }

    @Override
    public void stage(WriteBatch batch) {
        sqlite.stage(batch);
    }
}
