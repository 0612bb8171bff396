package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.TransactionClosedException;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.TransactionalStore;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TransactionalStore}: one or more tests per numbered rule of its Javadoc. Subclass it in a
 * test source set and implement the hooks; the application data is a table of (key, value) the hooks create, write
 * and read through the store's handle. Stores are used from the test thread only (as from a writer thread).
 *
 * @param <T> the store's handle type
 */
public abstract class TransactionalStoreContract<T> {
    /** For subclasses: one per implementation under test. */
    protected TransactionalStoreContract() {}

    private static final NodeId A = NodeId.of("a");
    private static final String LANE = "default";
    private final List<TransactionalStore<T>> stores = new ArrayList<>();

    /** A new, empty, unopened store. */
    protected abstract TransactionalStore<T> newStore();

    /**
     * A new, unopened store over the data of {@code previous}, which may still be open with a transaction in progress:
     * a simulated crash (copy the files, or use a test-only crash method), never a clean close.
     */
    protected abstract TransactionalStore<T> reopen(TransactionalStore<T> previous);

    /** Creates the application's (key, value) table through {@code tx}, if it does not exist. */
    protected abstract void createTable(T tx) throws Exception;

    /** Sets {@code key} to {@code value} through {@code tx}. */
    protected abstract void put(T tx, String key, long value) throws Exception;

    /** The value of {@code key} read through {@code tx}, or null. */
    protected abstract Long get(T tx, String key) throws Exception;

    /** Uses {@code tx} for something ordinary (a read): after the work returned it must throw. */
    protected abstract void use(T tx) throws Exception;

    /** Tries to commit (or otherwise end) the transaction through {@code tx}: must throw. */
    protected abstract void endTransaction(T tx) throws Exception;

    @AfterEach
    final void closeStores() {
        stores.forEach(TransactionalStore::close);
    }

    private TransactionalStore<T> opened(TransactionalStore<T> s) {
        stores.add(s);
        s.open(s.maxDurability());
        return s;
    }

    private TransactionalStore<T> fresh() throws Exception {
        TransactionalStore<T> s = opened(newStore());
        s.runInTransaction(this::createTable);
        s.commit(new WriteBatch());
        return s;
    }

    private Long read(TransactionalStore<T> s, String key) throws Exception {
        AtomicReference<Long> v = new AtomicReference<>();
        s.runInTransaction(tx -> v.set(get(tx, key)));
        return v.get();
    }

    private static WriteBatch cursor(long seq) {
        return new WriteBatch().cursor(new InboundCursor(A, LANE, 7, seq));
    }

    private static StoredMessage msg(long seq) {
        return new StoredMessage(A, LANE, seq, 0, Map.of(), new byte[] {(byte) seq});
    }

    // ---- rule 1

    @Test
    void worksWritesCommitWithTheNextBatchAndSurviveACrash() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "k1", 1));
        s.runInTransaction(tx -> assertThat(get(tx, "k1")).isEqualTo(1L)); // read-your-writes across works
        s.commit(cursor(1));
        TransactionalStore<T> r = reopen(s);
        stores.add(r);
        StoredState state = r.open(r.maxDurability());
        assertThat(state.inbound()).containsExactly(new InboundCursor(A, LANE, 7, 1));
        assertThat(read(r, "k1")).isEqualTo(1L);
    }

    @Test
    void aThrowingWorkUndoesExactlyItsWritesAndRethrowsItsException() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "kept", 1));
        IllegalStateException thrown = new IllegalStateException("handler failed");
        assertThatThrownBy(() -> s.runInTransaction(tx -> {
                    put(tx, "undone", 2);
                    put(tx, "kept", 99);
                    throw thrown;
                }))
                .isSameAs(thrown);
        s.runInTransaction(tx -> put(tx, "after", 3));
        s.commit(cursor(3));
        assertThat(read(s, "kept")).isEqualTo(1L);
        assertThat(read(s, "undone")).isNull();
        assertThat(read(s, "after")).isEqualTo(3L);
    }

    // ---- rule 2

    @Test
    void theHandleIsUselessAfterTheWorkReturnedAndFromAnotherThread() throws Exception {
        TransactionalStore<T> s = fresh();
        AtomicReference<T> kept = new AtomicReference<>();
        AtomicReference<Throwable> elsewhere = new AtomicReference<>();
        s.runInTransaction(tx -> {
            kept.set(tx);
            CompletableFuture.runAsync(() -> {
                        try {
                            use(tx);
                        } catch (Throwable e) {
                            elsewhere.set(e);
                        }
                    })
                    .join();
        });
        assertThat(elsewhere.get()).isInstanceOf(TransactionClosedException.class);
        assertThatThrownBy(() -> use(kept.get())).isInstanceOf(TransactionClosedException.class);
        assertThatThrownBy(() -> put(kept.get(), "late", 1)).isInstanceOf(TransactionClosedException.class);
        s.commit(new WriteBatch());
        assertThat(read(s, "late")).isNull();
    }

    @Test
    void theHandleCannotEndTheTransaction() throws Exception {
        TransactionalStore<T> s = fresh();
        AtomicReference<Throwable> refused = new AtomicReference<>();
        s.runInTransaction(tx -> {
            put(tx, "k", 1);
            try {
                endTransaction(tx);
            } catch (TransactionClosedException e) {
                refused.set(e);
            }
        });
        assertThat(refused.get()).isInstanceOf(TransactionClosedException.class);
        // Still one transaction: a crash now loses the write, which no commit has covered.
        TransactionalStore<T> r = reopen(s);
        stores.add(r);
        r.open(r.maxDurability());
        assertThat(read(r, "k")).isNull();
    }

    // ---- rules 3 and 4

    @Test
    void stagedBatchesCommitWithTheWorkAndTheLastBatchAtOnce() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "k", 1));
        s.stage(new WriteBatch().append(msg(1)));
        assertThat(s.readOutbox(A, LANE, 1, 10)).hasSize(1); // rule 5: reads see the open transaction
        TransactionalStore<T> crashed = reopen(s);
        stores.add(crashed);
        crashed.open(crashed.maxDurability());
        assertThat(crashed.readOutbox(A, LANE, 1, 10)).isEmpty();
        assertThat(read(crashed, "k")).isNull();

        s.commit(cursor(1).append(msg(2)));
        TransactionalStore<T> r = reopen(s);
        stores.add(r);
        StoredState state = r.open(r.maxDurability());
        assertThat(r.readOutbox(A, LANE, 1, 10)).extracting(StoredMessage::seq).containsExactly(1L, 2L);
        assertThat(state.inbound()).hasSize(1);
        assertThat(read(r, "k")).isEqualTo(1L);
    }

    @Test
    void aFailingStageOrCommitRollsBackEverythingOpen() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "k", 1));
        assertThatThrownBy(() -> s.stage(new WriteBatch().append(msg(5)))).isInstanceOf(StoreException.class);
        s.commit(new WriteBatch());
        assertThat(read(s, "k")).isNull();

        s.runInTransaction(tx -> put(tx, "k", 2));
        s.stage(new WriteBatch().append(msg(1)));
        assertThatThrownBy(() -> s.commit(new WriteBatch().append(msg(3)))).isInstanceOf(StoreException.class);
        assertThat(read(s, "k")).isNull();
        assertThat(s.readOutbox(A, LANE, 1, 10)).isEmpty();
    }

    @Test
    void anEmptyCommitCommitsTheOpenTransaction() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "k", 1));
        s.commit(new WriteBatch());
        TransactionalStore<T> r = reopen(s);
        stores.add(r);
        r.open(r.maxDurability());
        assertThat(read(r, "k")).isEqualTo(1L);
    }

    // ---- rule 5

    @Test
    void closingWithATransactionOpenRollsItBack() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "k", 1));
        s.stage(new WriteBatch().append(msg(1)));
        s.close();
        TransactionalStore<T> r = reopen(s);
        stores.add(r);
        r.open(Durability.MEMORY.compareTo(r.maxDurability()) <= 0 ? r.maxDurability() : Durability.MEMORY);
        assertThat(read(r, "k")).isNull();
        assertThat(r.readOutbox(A, LANE, 1, 10)).isEmpty();
    }

    // ---- rule 6

    /** A replayable work that puts {@code key} = {@code value} and counts its runs. */
    private TransactionalStore.Work<T> counted(String key, long value, int[] runs) {
        return tx -> {
            runs[0]++;
            put(tx, key, value);
        };
    }

    @Test
    void aThrowingReplayableWorkUndoesExactlyItsWritesAndTheOthersRunAtMostTwice() throws Exception {
        TransactionalStore<T> s = fresh();
        int[][] runs = new int[5][1];
        for (int i = 0; i < 3; i++) s.runReplayable(counted("k" + i, i, runs[i]));
        IllegalStateException thrown = new IllegalStateException("handler failed");
        assertThatThrownBy(() -> s.runReplayable(tx -> {
                    runs[3][0]++;
                    put(tx, "undone", 1);
                    put(tx, "k0", 99);
                    throw thrown;
                }))
                .isSameAs(thrown);
        s.runReplayable(counted("after", 4, runs[4]));
        s.commit(cursor(5));
        for (int i = 0; i < 3; i++) {
            assertThat(read(s, "k" + i)).isEqualTo((long) i);
            assertThat(runs[i][0]).isBetween(1, 2);
        }
        assertThat(read(s, "undone")).isNull();
        assertThat(runs[3][0]).isEqualTo(1);
        assertThat(read(s, "after")).isEqualTo(4L);
        assertThat(runs[4][0]).isEqualTo(1);
    }

    @Test
    void aReplayedWorkThatThrowsMakesTheTransactionUncommittable() throws Exception {
        TransactionalStore<T> s = fresh();
        s.runInTransaction(tx -> put(tx, "before", 1));
        int[] runs = new int[1];
        s.runReplayable(tx -> {
            if (++runs[0] > 1) throw new IllegalStateException("fails when run again");
            put(tx, "flaky", 2);
        });
        assertThatThrownBy(() -> s.runReplayable(tx -> {
                    throw new IllegalStateException("handler failed");
                }))
                .hasMessage("handler failed");
        if (runs[0] == 1) { // not run again: nothing was undone
            s.commit(cursor(1));
            assertThat(read(s, "flaky")).isEqualTo(2L);
            return;
        }
        assertThatThrownBy(() -> s.commit(cursor(1))).isInstanceOf(StoreException.class);
        assertThat(read(s, "before")).isNull();
        assertThat(read(s, "flaky")).isNull();
        s.commit(cursor(2)); // the store goes on with a new transaction
        assertThat(reopenedInbound(s)).containsExactly(new InboundCursor(A, LANE, 7, 2));
    }

    @Test
    void otherWritesEndTheSharedSavepointKeepingItsWorks() throws Exception {
        TransactionalStore<T> s = fresh();
        int[] first = new int[1];
        int[] second = new int[1];
        s.runReplayable(counted("a", 1, first));
        s.stage(new WriteBatch().append(msg(1)));
        failReplayable(s);
        s.runReplayable(counted("b", 2, second));
        s.runInTransaction(tx -> put(tx, "c", 3));
        failReplayable(s);
        s.commit(cursor(3));
        assertThat(first[0]).isEqualTo(1);
        assertThat(second[0]).isEqualTo(1);
        assertThat(read(s, "a")).isEqualTo(1L);
        assertThat(read(s, "b")).isEqualTo(2L);
        assertThat(read(s, "c")).isEqualTo(3L);
        assertThat(s.readOutbox(A, LANE, 1, 10)).extracting(StoredMessage::seq).containsExactly(1L);
    }

    private static <T> void failReplayable(TransactionalStore<T> s) {
        assertThatThrownBy(() -> s.runReplayable(tx -> {
                    throw new IllegalStateException("handler failed");
                }))
                .hasMessage("handler failed");
    }

    private List<InboundCursor> reopenedInbound(TransactionalStore<T> s) {
        TransactionalStore<T> r = reopen(s);
        stores.add(r);
        return r.open(r.maxDurability()).inbound();
    }
}
