package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.TransactionalHandler;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.TransactionalStore;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit that fails after transactional handlers wrote (as on a full disk) rolls their writes back while the engine
 * counts their messages processed: the node must then commit nothing more until it restarts, and the restart
 * redelivers them, so every message is still counted exactly once. Without that stop the rolled-back messages' cursors
 * would commit in the retried batch and their counts would be missing.
 */
class TransactionalCommitFailureTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();

    /** The SQLite store, failing one chosen commit the way SQLite fails one: everything open is rolled back. */
    private static final class FailingStore implements TransactionalStore<SqliteTransaction> {
        final SqliteStore sqlite;
        volatile boolean failNext;
        /** The chosen commit fails with an {@link Error} (after SQLite rolled back) instead of SQLite's exception. */
        volatile boolean withError;

        final AtomicInteger commitsAfterFailure = new AtomicInteger();
        volatile boolean failed;
        /** Handlers that wrote since the last commit (the writer thread's). */
        private int uncommitted;

        FailingStore(SqliteStore sqlite) {
            this.sqlite = sqlite;
        }

        @Override
        public void commit(WriteBatch batch) {
            if (failNext && uncommitted > 0) {
                failNext = false;
                failed = true;
                // A gap in a stream of appends: SQLite's store refuses the batch and rolls back the open transaction.
                WriteBatch gap =
                        new WriteBatch().addAll(batch).append(new StoredMessage(A, "gap", 7, 0, Map.of(), new byte[1]));
                if (!withError) sqlite.commit(gap); // refused: SQLite rolls the open transaction back
                try {
                    sqlite.commit(gap);
                } catch (RuntimeException rolledBack) {
                    throw new AssertionError("an Error during the commit (as an OutOfMemoryError)", rolledBack);
                }
            }
            sqlite.commit(batch);
            uncommitted = 0;
            if (failed) commitsAfterFailure.incrementAndGet();
        }

        @Override
        public Class<SqliteTransaction> transactionType() {
            return sqlite.transactionType();
        }

        @Override
        public void runInTransaction(Work<SqliteTransaction> work) throws Exception {
            sqlite.runInTransaction(work);
            uncommitted++;
        }

        @Override
        public void stage(WriteBatch batch) {
            sqlite.stage(batch);
        }

        @Override
        public Durability maxDurability() {
            return sqlite.maxDurability();
        }

        @Override
        public StoredState open(Durability durability) {
            return sqlite.open(durability);
        }

        @Override
        public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
            return sqlite.readOutbox(to, lane, fromSeq, max);
        }

        @Override
        public List<DeadLetter> readDeadLetters(int max) {
            return sqlite.readDeadLetters(max);
        }

        @Override
        public List<dev.tether.spi.ChannelMessage> readChannel(String channel, long fromSeq, int max) {
            return sqlite.readChannel(channel, fromSeq, max);
        }

        @Override
        public dev.tether.spi.StoredChannels readChannels() {
            return sqlite.readChannels();
        }

        @Override
        public List<dev.tether.spi.KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max) {
            return sqlite.readKeys(namespace, afterKey, nowMillis, max);
        }

        @Override
        public void close() {
            sqlite.close();
        }
    }

    private TetherNode receiver(TransactionalStore<SqliteTransaction> store) {
        return Tether.start(TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
                    PreparedStatement ps = tx.prepare(
                            "INSERT INTO counts (k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1");
                    ps.setString(1, new String(d.payloadBytes(), StandardCharsets.UTF_8));
                    ps.executeUpdate();
                }))
                .build());
    }

    @Test
    void afterAFailedCommitNothingCommitsUntilARestartWhichRedeliversTheRolledBackMessages() throws Exception {
        failedCommitThenRestart(false);
    }

    /**
     * An {@link Error} fails the batches held for the handlers too, oldest first, and poisons the writer as an
     * exception does (audit 6b, finding 5: only the failing batch was answered, the engine's next answer was out of
     * order and nothing committed any more, not even a failure).
     */
    @Test
    void anErrorDuringTheCommitFailsTheHeldBatchesAndPoisonsTheWriterAsAnExceptionDoes() throws Exception {
        failedCommitThenRestart(true);
    }

    private void failedCommitThenRestart(boolean withError) throws Exception {
        Path bFile = dir.resolve("b.db");
        TransactionalHandlerTest.createCounts(bFile);
        FailingStore failing = new FailingStore(new SqliteStore(bFile));
        failing.withError = withError;
        TetherNode b = receiver(failing);
        TetherNode a = Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .build());
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < 100; i++) receipts.add(a.send(B, ("m" + i).getBytes(StandardCharsets.UTF_8)));
        for (SendReceipt r : receipts) r.processed().get(30, TimeUnit.SECONDS);

        failing.failNext = true;
        for (int i = 100; i < 200; i++) receipts.add(a.send(B, ("m" + i).getBytes(StandardCharsets.UTF_8)));
        TetherNode b1 = b;
        Await.until(
                Duration.ofSeconds(30),
                () -> failing.failed && b1.stats().storeFailures() >= 3,
                () -> "a failed commit, then retries failing: " + b1.stats());
        assertThat(failing.commitsAfterFailure.get())
                .as("no commit after the failure")
                .isZero();
        b.shutdown(Duration.ofMillis(200));

        b = receiver(new SqliteStore(bFile));
        for (SendReceipt r : receipts)
            assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        b.shutdown(Duration.ofSeconds(5));
        a.shutdown(Duration.ofSeconds(5));
        Map<String, Long> counts = TransactionalHandlerTest.counts(bFile);
        assertThat(counts).hasSize(200);
        assertThat(counts.values()).containsOnly(1L);
    }
}
