package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.Store;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@link VirtualMachineError} from one of the reads the store's thread runs outside the engine's paging (dead
 * letters here; also history, channel pages, keys and management's outbox pages) fails the read and closes the node,
 * as one from a commit does ({@link StoreFatalErrorTest}): before, it only failed the caller's future and the node ran
 * on after its JVM failed (found by audit 11). No threads of the test's own, no clock: the node closes itself or the
 * deadline fails the test.
 */
class StoreReadFatalErrorTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");

    @Test
    void aVirtualMachineErrorFromAStoreReadClosesTheNode() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            c.start("b");
            TetherNode a = c.start("a", cfg -> cfg.store(new FailingReads(c.store("a"))));

            Throwable read = catchThrowable(() -> a.deadLetters(10));
            assertThat(read).as("the read fails").isNotNull();

            NodeClosedException refused =
                    Await.untilClosedForSends(DEADLINE, a, B, "a closes itself after its store's error");
            assertThat(refused).hasCauseInstanceOf(OutOfMemoryError.class);
        }
    }

    /** Throws an {@link OutOfMemoryError} from every read of the dead letters. */
    private static final class FailingReads extends ForwardingStore {
        FailingReads(Store delegate) {
            super(delegate);
        }

        @Override
        public List<DeadLetter> readDeadLetters(int max) {
            throw new OutOfMemoryError("store read (test)");
        }
    }
}
