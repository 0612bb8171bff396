package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link VirtualMachineError} thrown by the store's own {@code commit} closes the node as one thrown by a callback
 * does (ListenerErrorTest, CommitObserverTest): the listener sees the failed commit, the node closes itself (store
 * closed, peers see it go), and a send refused afterwards says why and carries the error. On the store's thread it used
 * to end only that thread (the executor started another) and leave the node running after the JVM had failed.
 */
class StoreFatalErrorTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @ParameterizedTest(name = "on the store''s thread: {0}")
    @ValueSource(booleans = {false, true})
    void aVirtualMachineErrorFromTheStoresCommitClosesTheNode(boolean storeThread) throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start("b");
            FailingStore store = new FailingStore(c.store("a"), storeThread);
            TetherNode a = c.start("a", cfg -> cfg.store(store));
            SendReceipt first = a.send(B, utf8("m"));

            Await.until(DEADLINE, first.processed()::isDone, () -> "the send whose commit threw is answered");
            assertThat(first.processed()).isCompletedExceptionally();
            NodeClosedException refused =
                    Await.untilClosedForSends(DEADLINE, a, B, "a closes itself after its store's error");
            assertThat(refused).hasMessageContaining("node thread died of").hasCauseInstanceOf(OutOfMemoryError.class);
            Await.until(DEADLINE, store.closed::get, () -> "a's store closed");
            Await.until(
                    DEADLINE,
                    () -> b.peers().stream().noneMatch(p -> p.id().equals(A) && p.connected()),
                    () -> "b sees a disconnected");
            assertThat(c.events("a"))
                    .as("the listener saw the failed commit, with the error")
                    .anySatisfy(e -> assertThat(e)
                            .isInstanceOfSatisfying(
                                    TetherEvent.StoreFailure.class,
                                    f -> assertThat(f.reason()).contains("OutOfMemoryError", "store commit (test)")));
        }
    }

    /** Throws an {@link OutOfMemoryError} from the first commit that appends a message; records its close. */
    private static final class FailingStore extends ForwardingStore {
        final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean thrown = new AtomicBoolean();
        private final boolean ownThread;

        FailingStore(Store delegate, boolean ownThread) {
            super(delegate);
            this.ownThread = ownThread;
        }

        @Override
        public boolean isNonBlocking() {
            return !ownThread && super.isNonBlocking();
        }

        @Override
        public void commit(WriteBatch batch) {
            if (!batch.appends().isEmpty() && thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("store commit (test)");
            }
            super.commit(batch);
        }

        @Override
        public void close() {
            closed.set(true);
            super.close();
        }
    }
}
