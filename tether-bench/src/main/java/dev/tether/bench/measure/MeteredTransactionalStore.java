package dev.tether.bench.measure;

import dev.tether.spi.TransactionalStore;
import dev.tether.spi.WriteBatch;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.store.sqlite.SqliteTransaction;

/** A {@link MeteredStore} over a SQLite store that keeps its transactions open to transactional handlers. */
public final class MeteredTransactionalStore extends MeteredStore implements TransactionalStore<SqliteTransaction> {
    private final SqliteStore sqlite;

    public MeteredTransactionalStore(SqliteStore sqlite) {
        super(sqlite);
        this.sqlite = sqlite;
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
