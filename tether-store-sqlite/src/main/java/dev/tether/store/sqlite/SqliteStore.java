package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.DeadLetterIndexEntry;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.TransactionalStore;
import dev.tether.spi.WriteBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A {@link Store} in one SQLite database file (through {@code org.xerial:sqlite-jdbc}), in WAL mode.
 *
 * <p><b>Durability.</b> {@link #open} maps the requested level to {@code PRAGMA synchronous} of the
 * connection; {@link #maxDurability()} is {@link Durability#FSYNC}. A commit is one SQLite transaction, so
 * whatever a failure loses, it loses whole batches, never part of one.
 *
 * <ul>
 *   <li>{@link Durability#FSYNC} → {@code synchronous=FULL}: the WAL is fsynced before {@link #commit}
 *       returns. A returned commit survives a process crash, an OS crash and power loss (provided the disk
 *       honours fsync).
 *   <li>{@link Durability#OS_BUFFERED} → {@code synchronous=NORMAL}: a commit is written to the OS before
 *       {@link #commit} returns but fsynced only at checkpoints. It survives a process crash; an OS crash or
 *       power loss may roll back the most recent commits, but leaves a consistent database.
 *   <li>{@link Durability#MEMORY} → {@code synchronous=OFF}: never fsynced. A returned commit still survives
 *       a process crash (more than MEMORY promises); an OS crash or power loss may lose recent commits and
 *       may corrupt the database file.
 * </ul>
 *
 * <p><b>File format.</b> {@code PRAGMA application_id} is {@link #APPLICATION_ID}; the {@code meta} table
 * holds {@code schema_version} and the store {@code epoch} (random, non-zero, created at the first open).
 * Tables: {@code outbox(peer, lane, seq, expires_at, headers, payload, checksum, accepted_at)} keyed by (peer, lane,
 * seq) ({@code checksum}, added in schema version 2, is NULL in rows stored before: read back as {@code UNCHECKED};
 * {@code accepted_at}, added in version 5, likewise reads back as 0),
 * {@code streams(peer, lane, last_seq, acked_seq)}, {@code cursors(peer, lane, sender_epoch, processed_seq)},
 * {@code dead_letters(id, ...)}, {@code peers(peer, epoch)}, the key-value area of schema version 3 ({@code kv};
 * {@code KeyValueTable}; its index by namespace and expiry came in version 7), the channel tables of schema version 4 ({@code channel_log}: one row per publish,
 * whatever the number of readers; {@code ChannelTables}) and the history of version 6 ({@code HistoryTable}). Every hot-path statement is a primary-key lookup or
 * range. Opening a file written by an older schema version migrates it; a newer version, a file
 * that is not SQLite and an SQLite database that is not a Tether store are refused with a
 * {@link StoreException} saying so. A copy restored from a backup needs a new epoch: {@link #renewEpoch}.
 * docs/OPERATIONS.md describes the files, inspection and backup for operators.
 *
 * <p><b>Ownership.</b> While open, the store holds an exclusive operating-system lock on the sibling file
 * {@code <file>.lock}; a second {@link #open} of the same file, by this or another process, fails with {@link
 * StoreInUseException}. The lock dies with the process, so a crashed node's store opens again at once. SQLite's
 * own locking is unchanged: {@code sqlite3} and {@link StoreInspector} can read a store while a node runs it.
 *
 * <p><b>Size limit.</b> {@link Builder#maxSizeBytes} caps the database file (SQLite's {@code max_page_count};
 * the write-ahead log adds up to a few MiB between checkpoints). A commit that would need more space, like one
 * on a full disk, fails with {@link StoreFullException} and stores nothing of its batch; space freed by
 * trimming acknowledged messages is reused. A batch's trims run before its appends, so a sender whose
 * application keeps sending still frees space as acknowledgments arrive.
 *
 * <p><b>Transactions.</b> A {@link TransactionalStore}: transactional handlers write the application's own tables
 * through a {@link SqliteTransaction}, in the transaction that the next {@link #commit} commits with the batch.
 *
 * <p><b>Threading.</b> Not thread-safe: as the {@link Store} contract says, one thread at a time.
 *
 * <p><b>Errors.</b> Every failure is a {@link StoreException}; a store in use by another node ({@link
 * StoreInUseException}), a full store or disk ({@link StoreFullException}), a file locked by another
 * connection, a directory or file that cannot be written, and a corrupt file ({@link StoreCorruptException}) each
 * get their own message.
 *
 * <p><b>Integrity.</b> {@link #open} of an existing file first runs SQLite's {@code PRAGMA quick_check} and
 * refuses a damaged file with {@link StoreCorruptException}, changing nothing in it ({@link
 * Builder#checkIntegrity} turns this off for very large stores).
 */
public final class SqliteStore implements TransactionalStore<SqliteTransaction> {
    /** {@code PRAGMA application_id} of a Tether store: "TETH" in ASCII. */
    public static final int APPLICATION_ID = 0x54455448;

    /** The schema version this code writes; files with a lower version are migrated on open. */
    public static final int SCHEMA_VERSION = 7;

    /** How long a statement waits for a lock held by another connection before failing; the default. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

    /** The smallest size limit accepted: room for the schema, the reserve for deletions and some messages. */
    public static final long MIN_SIZE_LIMIT_BYTES = 1024 * 1024;

    /** Pages of a size-limited store kept for deletions and cursor updates (at least; or 1/32 of the limit). */
    private static final long RESERVE_PAGES = 16;

    private final Path file;
    private final Duration busyTimeout;
    private final long maxSizeBytes;
    private final LongSupplier epochs;
    private final boolean checkIntegrity;
    private boolean createdFile;
    private long hardPageLimit;
    private long appendPageLimit;
    private StoreLock lock;
    private Connection connection;
    private BatchWriter writer;
    private TransactionRunner transaction;
    private OutboxReader outbox;
    private DeadLetterTable deadLetters;
    private KeyValueTable keyValues;
    private boolean closed;

    /** A store in {@code file}, created at the first {@link #open} if it does not exist. */
    public SqliteStore(Path file) {
        this(builder(file));
    }

    /** A store in {@code file} whose statements wait up to {@code busyTimeout} for another connection's lock. */
    public SqliteStore(Path file, Duration busyTimeout) {
        this(builder(file).busyTimeout(busyTimeout));
    }

    private SqliteStore(Builder b) {
        this.file = b.file;
        this.busyTimeout = b.busyTimeout;
        this.maxSizeBytes = b.maxSizeBytes;
        this.epochs = b.epochs;
        this.checkIntegrity = b.checkIntegrity;
    }

    /** A builder of a store in {@code file}, for the options beyond the constructors'. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /**
     * Options of a {@link SqliteStore}; not thread-safe. Each setter validates its argument and throws {@link
     * IllegalArgumentException} if it is out of range.
     */
    public static final class Builder {
        private final Path file;
        private Duration busyTimeout = DEFAULT_BUSY_TIMEOUT;
        private long maxSizeBytes;
        private LongSupplier epochs = StateLoader::newEpoch;
        private boolean checkIntegrity = true;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        }

        /** How long a statement waits for a lock held by another connection; default {@link #DEFAULT_BUSY_TIMEOUT}. */
        public Builder busyTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "busyTimeout");
            if (timeout.isNegative() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("busyTimeout out of range: " + timeout);
            }
            this.busyTimeout = timeout;
            return this;
        }

        /**
         * Caps the database file at about {@code bytes} (rounded down to whole pages), at least {@link
         * #MIN_SIZE_LIMIT_BYTES}; 0 (the default) means no limit but the disk's. Commits that need more space
         * fail with {@link StoreFullException}. New messages and dead letters may fill all but a reserve of
         * 1/32 of the limit (at least 16 pages), kept for deleting acknowledged messages and updating cursors, so
         * that a full store can always free space. The limit holds for this open only and may be raised or
         * removed at the next one; a file already larger than a new limit opens but takes no new pages.
         */
        public Builder maxSizeBytes(long bytes) {
            if (bytes != 0 && bytes < MIN_SIZE_LIMIT_BYTES) {
                throw new IllegalArgumentException(
                        "maxSizeBytes must be 0 (no limit) or at least " + MIN_SIZE_LIMIT_BYTES + ", was " + bytes);
            }
            this.maxSizeBytes = bytes;
            return this;
        }

        /**
         * Whether {@link SqliteStore#open} runs SQLite's {@code PRAGMA quick_check} on an existing file first and
         * refuses a damaged one with {@link StoreCorruptException} (default true). The check reads the whole file
         * (about a second per few hundred MB; docs/OPERATIONS.md); turn it off only for stores too large to check
         * at every start. A damaged page then shows up later, as failed commits or outbox reads.
         */
        public Builder checkIntegrity(boolean check) {
            this.checkIntegrity = check;
            return this;
        }

        /** Where a new store's epoch comes from (non-zero values); for deterministic simulations. */
        Builder epochs(LongSupplier source) {
            this.epochs = Objects.requireNonNull(source, "epochs");
            return this;
        }

        /** The store; nothing is opened or created before {@link SqliteStore#open}. */
        public SqliteStore build() {
            return new SqliteStore(this);
        }
    }

    /**
     * Gives the store in {@code file} a new random epoch, so that its peers treat it as a new incarnation. Use
     * it after restoring a copy of a store: with its old epoch, a restored sender would number new messages
     * from where the copy stopped, and receivers that already processed those sequence numbers would drop the
     * new messages as duplicates. With a new epoch, receivers restart each stream at the sender's acknowledged
     * sequence number instead: messages in the restored outbox are delivered again (flagged as a new
     * incarnation by a {@code Resync} event) rather than new ones being lost.
     *
     * <p>The store must not be in use (this takes its ownership lock) and must already exist.
     *
     * @return the new epoch
     * @throws StoreException if the file does not exist, is not a Tether store, or is in use
     */
    public static long renewEpoch(Path file) {
        Path f = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        if (!Files.exists(f)) throw new StoreException("store file " + f + " does not exist");
        try (SqliteStore store = new SqliteStore(f)) {
            long old = store.open(Durability.FSYNC).epoch();
            long epoch;
            do {
                epoch = StateLoader.newEpoch();
            } while (epoch == old);
            try {
                store.execute("BEGIN IMMEDIATE");
                store.execute("UPDATE meta SET value = " + epoch + " WHERE key = 'epoch'");
                store.execute("COMMIT");
            } catch (SQLException e) {
                SqliteErrors.rollbackQuietly(store.connection, e);
                throw store.fail("cannot renew the epoch of", e);
            }
            return epoch;
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /**
     * Whether {@link #open} created the database file (it did not exist before). A caller whose start failed
     * after opening can then remove what it created; see docs/OPERATIONS.md.
     */
    public boolean createdFile() {
        return createdFile;
    }

    @Override
    public Durability maxDurability() {
        checkNotClosed();
        return Durability.FSYNC;
    }

    /**
     * Opens (creating or migrating if needed) the database file.
     *
     * @throws StoreException if the store is open or closed, or the file cannot be used, saying why
     */
    @Override
    public StoredState open(Durability durability) {
        checkNotClosed();
        Objects.requireNonNull(durability, "durability");
        if (connection != null) throw new StoreException("store is already open");
        StoreFiles.checkDirectory(file);
        StoreLock owned = StoreLock.acquire(file);
        try {
            StoreFiles.checkExistingFile(file);
            boolean existed = Files.exists(file);
            Connection c;
            try {
                // No `SELECT last_insert_rowid()` after every INSERT (the driver's default): nothing reads the keys.
                c = DriverManager.getConnection("jdbc:sqlite:" + file + "?jdbc.get_generated_keys=false");
            } catch (SQLException e) {
                throw fail("cannot open", e);
            }
            try {
                // Before anything writes to it: a damaged file is refused as it is.
                if (existed && checkIntegrity) IntegrityCheck.verify(c, file, busyTimeout);
                long epoch = StoreSchema.initialize(c, file, durability, busyTimeout, epochs);
                limitSize(c);
                connection = c;
                prepareStatements();
                StoredState state = StateLoader.load(connection, epoch);
                lock = owned;
                createdFile = !existed;
                return state;
            } catch (SQLException | RuntimeException e) {
                connection = null;
                SqliteErrors.closeQuietly(c, e);
                if (e instanceof SQLException sql) throw fail("cannot open", sql);
                throw (RuntimeException) e;
            }
        } catch (RuntimeException e) {
            try {
                owned.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Derives the page limits from {@link #maxSizeBytes}: the hard one for SQLite, and a lower one for writes that
     * add data, keeping a reserve for deletions (SQLite may need a new page to rebalance a tree while deleting)
     * and cursor updates, so that a full store can always trim.
     */
    private void limitSize(Connection c) throws SQLException {
        if (maxSizeBytes == 0) return;
        try (Statement s = c.createStatement()) {
            long pages = maxSizeBytes / StoreSchema.queryLong(s, "PRAGMA page_size");
            hardPageLimit = pages;
            appendPageLimit = pages - Math.max(RESERVE_PAGES, pages / 32);
            StoreSchema.queryLong(s, "PRAGMA max_page_count = " + pages);
        }
    }

    private void prepareStatements() throws SQLException {
        Connection c = connection;
        keyValues = new KeyValueTable(c);
        writer = new BatchWriter(c, hardPageLimit, appendPageLimit, keyValues);
        transaction = new TransactionRunner(c, writer.streamStates());
        outbox = new OutboxReader(c);
        deadLetters = new DeadLetterTable(c);
    }

    /**
     * Commits {@code batch} in one transaction.
     *
     * @throws StoreException if an append does not carry {@code lastSeq + 1} of its stream, a trim goes beyond
     *     {@code lastSeq}, or SQLite fails; nothing of the batch is then stored
     */
    @Override
    public void commit(WriteBatch batch) {
        checkOpen();
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty() && !transaction.isOpen()) return;
        write(batch, true);
    }

    /** Writes {@code batch} into the open transaction, uncommitted (TransactionalStore rule 3). */
    @Override
    public void stage(WriteBatch batch) {
        checkOpen();
        write(batch, false);
    }

    /** Writes {@code batch} in the open transaction (opening one) and commits it if {@code commit}; else rolls back. */
    private void write(WriteBatch batch, boolean commit) {
        try {
            transaction.checkCommittable();
            transaction.begin();
            transaction.endShared();
            writer.apply(batch);
            if (commit) transaction.commit();
        } catch (SQLException | RuntimeException | Error e) { // an Error too: the next commit would write into it
            SqliteErrors.rollbackQuietly(connection, e);
            transaction.ended();
            if (e instanceof SQLException sql) throw fail("commit failed", sql);
            throw SqliteErrors.unchecked(e);
        }
    }

    /** Runs {@code work} in a savepoint of the open transaction (TransactionalStore rules 1-2). */
    @Override
    public void runInTransaction(Work<SqliteTransaction> work) throws Exception {
        checkOpen();
        transaction.run(work);
    }

    @Override
    public void runReplayable(Work<SqliteTransaction> work) throws Exception {
        checkOpen();
        transaction.runReplayable(work);
    }

    @Override
    public Class<SqliteTransaction> transactionType() {
        return SqliteTransaction.class;
    }

    /**
     * Writes {@code batch} in a transaction and leaves it uncommitted, for {@link #crash()} to abandon: what a
     * process killed in the middle of a commit leaves behind. A batch that fails validation is rolled back.
     */
    void writeWithoutCommit(WriteBatch batch) {
        checkOpen();
        if (batch.isEmpty()) return;
        try {
            execute("BEGIN IMMEDIATE");
            writer.apply(batch);
        } catch (SQLException | RuntimeException e) {
            SqliteErrors.rollbackQuietly(connection, e);
        }
    }

    /**
     * Writes {@code batch} in a transaction and rolls it back, then throws {@link StoreException}: a commit that
     * failed at the last moment, as on a failing disk. A batch that fails validation throws that error instead.
     */
    void failCommit(WriteBatch batch) {
        checkOpen();
        try {
            execute("BEGIN IMMEDIATE");
            writer.apply(batch);
        } catch (SQLException | RuntimeException e) {
            SqliteErrors.rollbackQuietly(connection, e);
            if (e instanceof SQLException sql) throw fail("commit failed", sql);
            throw (RuntimeException) e;
        }
        StoreException injected = new StoreException("injected commit failure of store " + file);
        SqliteErrors.rollbackQuietly(connection, injected);
        throw injected;
    }

    /**
     * Simulates a process crash: the connection goes away without committing whatever transaction it has open,
     * and the ownership lock is released as the operating system would release it. The store counts as closed.
     * (Unlike a real crash, closing a connection lets SQLite check-point the write-ahead log; the committed
     * state, which is what a crash must preserve, is the same.)
     */
    void crash() {
        closed = true;
        Connection c = connection;
        connection = null;
        try {
            if (c != null) c.close();
        } catch (SQLException e) {
            // A crashing process does not report on its connections.
        } finally {
            releaseLock(null);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        checkOpen();
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        if (max == 0) return List.of();
        return read("the outbox of " + to + "/" + lane, () -> outbox.read(to, lane, fromSeq, max));
    }

    @Override
    public List<ChannelMessage> readChannel(String channel, long fromSeq, int max) {
        return readLog(channel, max, t -> t.read(channel, fromSeq, max));
    }

    /** Without handing payloads to Java: SQLite gives their lengths (rule 23). */
    @Override
    public List<ChannelEntry> readChannelIndex(String channel, long fromSeq, int max) {
        return readLog(channel, max, t -> t.index(channel, fromSeq, max));
    }

    private <T> List<T> readLog(String channel, int max, ChannelTables.Read<T> read) {
        checkOpen();
        Objects.requireNonNull(channel);
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        return max == 0 ? List.of() : read("the log of channel " + channel, () -> read.from(writer.channels()));
    }

    @Override
    public StoredChannels readChannels() {
        return read("the channels", () -> {
            try (Statement s = connection.createStatement()) {
                return ChannelTables.readAll(s);
            }
        });
    }

    @Override
    public List<DeadLetter> readDeadLetters(int max) {
        checkOpen();
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        return max == 0 ? List.of() : read("dead letters", () -> deadLetters.read(max));
    }

    /** Without handing payloads to Java: SQLite gives their lengths (rule 24). */
    @Override
    public List<DeadLetterIndexEntry> readDeadLetterIndex() {
        return read("the dead-letter index", deadLetters::index);
    }

    @Override
    public List<HistoryEntry> readHistory(HistoryQuery query) {
        return read("the history", () -> writer.history().read(query));
    }

    @Override
    public HistoryStats historySummary() {
        return read("the history", () -> writer.history().summary());
    }

    /** A read on the connection. */
    private interface Read<T> {
        T run() throws SQLException;
    }

    /** Runs {@code read} on the open store; an SQL failure becomes a StoreException naming {@code what}. */
    private <T> T read(String what, Read<T> read) {
        checkOpen();
        try {
            return read.run();
        } catch (SQLException e) {
            throw fail("cannot read " + what, e);
        }
    }

    @Override
    public List<KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max) {
        checkOpen();
        KeyValue.checkNamespace(namespace);
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        if (max == 0) return List.of();
        return read("the key-value namespace " + namespace, () -> keyValues.read(namespace, afterKey, nowMillis, max));
    }

    /** From index {@code kv_newest}, reading {@code max} rows at most (rule 29). */
    @Override
    public List<KeyValue> readNewestKeys(String namespace, long nowMillis, int max) {
        checkOpen();
        KeyValue.checkNamespace(namespace);
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        if (max == 0) return List.of();
        return read("the key-value namespace " + namespace, () -> keyValues.newest(namespace, nowMillis, max));
    }

    /** Closes the database connection and releases the ownership lock; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Connection c = connection;
        connection = null;
        StoreException failure = null;
        try {
            if (c != null) c.close();
        } catch (SQLException e) {
            failure = fail("cannot close", e);
        }
        releaseLock(failure); // the connection's failure first, the lock's added to it
    }

    /** Closes the lock after {@code failure} (null: none): see {@link StoreLock#closeAfter}. */
    private void releaseLock(StoreException failure) {
        StoreLock l = lock;
        lock = null;
        StoreLock.closeAfter(failure, l);
    }

    /** This store's connection: for tests that read its settings. */
    Connection connection() {
        return connection;
    }

    private void checkNotClosed() {
        if (closed) throw new StoreException("store is closed");
    }

    private void checkOpen() {
        checkNotClosed();
        if (connection == null) throw new StoreException("store is not open");
    }

    /** A {@link StoreException} for {@code e} whose message names the kind of failure. */
    private StoreException fail(String action, SQLException e) {
        return SqliteErrors.fail(file, action, e, maxSizeBytes);
    }
}
