package dev.tether.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import dev.tether.testkit.Pacer;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code close()} called by a thread whose interrupt flag is set (a task of an executor stopped with {@code
 * shutdownNow}, a cancelled worker, a servlet container's shutdown) must still be the documented shutdown: "closes
 * transport and store", so that the same store opens again at once in this process.
 * {@code NodeRuntime.shutdown} waits only through {@code awaitUntil}/{@code StoreWriter.close}, which give up at once
 * on a set interrupt flag: every wait (drain, store grace, loop join, store close) is skipped, so close returns with
 * the node loop and the store writer still running and the store's lock held ({@link StoreInUseException} on the
 * restart). Not interrupted, the same close with the same slow commit releases everything (the control case).
 *
 * <p>The store's commits take {@value #COMMIT_MILLIS} ms once the test says so, as on a slow disk: a commit is
 * running when close is called, well within the 2 s the node grants the store to finish.
 */
class InterruptedCloseTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final long COMMIT_MILLIS = 400;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean slow;
    private volatile boolean slowCommitRunning;

    private TetherNode node(NodeId id, NodeId peer, Store store) {
        return Tether.start(TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .handler(d -> seen.add(d.payload().getLong(0)))
                .build());
    }

    private Store sqlite(NodeId id) {
        return new SqliteStore(dir.resolve("tether-" + id + ".db"));
    }

    /** The SQLite store of {@code id}, whose commits take {@link #COMMIT_MILLIS} while {@link #slow} is set. */
    private Store slowSqlite(NodeId id) {
        return new ForwardingStore(sqlite(id)) {
            @Override
            public void commit(WriteBatch batch) {
                if (slow) { // a slow fsync: not a wait for a condition, a fixed cost the writer thread pays
                    slowCommitRunning = true;
                    Pacer.every(Duration.ofMillis(COMMIT_MILLIS)).awaitNext();
                }
                super.commit(batch);
            }
        };
    }

    @ParameterizedTest(name = "interrupted={0}")
    @ValueSource(booleans = {false, true})
    void closeFromAnInterruptedThreadReleasesTheStoreAndLosesNothingAccepted(boolean interrupted) throws Exception {
        TetherNode a = node(A, B, slowSqlite(A));
        List<SendReceipt> receipts = new ArrayList<>();
        for (long i = 0; i < 1000; i++)
            receipts.add(a.send(B, ByteBuffer.allocate(64).putLong(0, i).array()));
        receipts.get(999).accepted().get(30, TimeUnit.SECONDS);
        slow = true;
        for (long i = 1000; i < 1100; i++)
            receipts.add(a.send(B, ByteBuffer.allocate(64).putLong(0, i).array()));
        Await.until(Duration.ofSeconds(30), () -> slowCommitRunning, () -> "a slow commit running");

        if (interrupted) Thread.currentThread().interrupt(); // as in a task cancelled by ExecutorService.shutdownNow()
        boolean interruptedAfterClose;
        try {
            a.close();
        } finally {
            interruptedAfterClose = Thread.interrupted(); // cleared for the rest of the test
        }
        assertEquals(interrupted, interruptedAfterClose, "close() keeps the caller's interrupt flag as it found it");
        // Restart at once on the same file: the store must be released when close() returned.
        TetherNode again = node(A, B, sqlite(A));
        TetherNode b = node(B, A, sqlite(B));
        try {
            List<Long> accepted = acceptedOf(receipts);
            Await.until(
                    Duration.ofSeconds(60),
                    () -> seen.containsAll(accepted),
                    () -> "accepted sends delivered after the restart: " + seen.size() + " of " + accepted.size());
        } finally {
            again.close();
            b.close();
        }
    }

    /** Waits for every receipt (none may hang) and returns the payloads of those accepted (the others: refused). */
    private static List<Long> acceptedOf(List<SendReceipt> receipts) throws Exception {
        List<Long> accepted = new ArrayList<>();
        for (int i = 0; i < receipts.size(); i++) {
            try {
                receipts.get(i).accepted().get(10, TimeUnit.SECONDS);
                accepted.add((long) i);
            } catch (ExecutionException refused) {
                // NodeClosedException: not stored, so not to be delivered
            }
        }
        return accepted;
    }
}
