package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commit observer sees every commit; one that throws, or a listener that throws, is counted and harmless. */
class CommitObserverTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void seesEveryAppendedMessageOnceAndOnlySuccessfulCommits() throws Exception {
        AtomicLong commits = new AtomicLong();
        AtomicLong messages = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start(
                    "a",
                    b -> b.commitObserver((nanos, entries, appended, committed) -> {
                        assertThat(nanos).isNotNegative();
                        assertThat(entries).isGreaterThanOrEqualTo(appended);
                        commits.incrementAndGet();
                        messages.addAndGet(appended);
                        if (!committed) failed.incrementAndGet();
                    }));
            c.start("b");
            List<SendReceipt> receipts = new ArrayList<>();
            for (int i = 0; i < 300; i++) receipts.add(a.send(NodeId.of("b"), utf8("m" + i)));
            for (SendReceipt r : receipts) r.processed().get(30, TimeUnit.SECONDS);
            // Every message a sent was appended to its outbox in exactly one commit; the later commits (trims on
            // acknowledgment) append nothing.
            assertThat(messages.get()).isEqualTo(300);
            assertThat(commits.get()).isPositive();
            assertThat(failed.get()).isZero();
        }
    }

    @Test
    void anObserverOrListenerThatThrowsIsCountedAndChangesNothing() throws Exception {
        throwingCallbacksAreCountedAndChangeNothing(IllegalStateException::new, false);
    }

    /**
     * An {@link AssertionError} (a test's listener, an {@code assert}) is counted like an exception: it neither
     * aborts the command that emitted the event nor, thrown again from the report of that failure, ends the loop.
     */
    @Test
    void anObserverOrListenerThatThrowsAnAssertionErrorIsCountedAndChangesNothing() throws Exception {
        throwingCallbacksAreCountedAndChangeNothing(AssertionError::new, false);
    }

    /**
     * An application's own {@link Error} is the observer's bug like an exception (as the listener's, TetherListener):
     * counted, and the commit's outcome unchanged, whether the observer runs on the node thread (a non-blocking store)
     * or on the store's thread. It used to escape the observer's catch: the commit that had succeeded was reported as
     * failed, and on the store's thread the writer's thread died.
     */
    @ParameterizedTest(name = "on the store''s thread: {0}")
    @ValueSource(booleans = {false, true})
    void anObserverOrListenerThatThrowsAnApplicationsErrorIsCountedAndChangesNothing(boolean storeThread)
            throws Exception {
        throwingCallbacksAreCountedAndChangeNothing(Error::new, storeThread);
    }

    /**
     * A {@link VirtualMachineError} from the observer ends the node as the listener's does (ListenerErrorTest): the node
     * closes itself, its peer sees it go, and a send refused afterwards carries the error as its cause. On the store's
     * thread it used to fail the commit that had succeeded and kill the writer's thread, leaving the node open.
     */
    @ParameterizedTest(name = "on the store''s thread: {0}")
    @ValueSource(booleans = {false, true})
    void aVirtualMachineErrorFromTheObserverClosesTheNode(boolean storeThread) throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start("b");
            TetherNode a = c.start("a", cfg -> {
                if (storeThread) cfg.store(onItsOwnThread(c.store("a")));
                cfg.commitObserver((nanos, entries, appended, committed) -> {
                    if (appended > 0 && thrown.compareAndSet(false, true)) throw new InternalError("VM error (test)");
                });
            });
            a.send(NodeId.of("b"), utf8("m"));
            Await.until(DEADLINE, thrown::get, () -> "a's observer saw the send's commit");
            AtomicReference<NodeClosedException> refused = new AtomicReference<>();
            Await.until(
                    DEADLINE,
                    () -> {
                        try {
                            a.send(NodeId.of("b"), utf8("later"));
                            return false;
                        } catch (NodeClosedException closed) {
                            refused.set(closed);
                            return true;
                        }
                    },
                    () -> "a closes itself after its observer's VirtualMachineError");
            assertThat(refused.get())
                    .hasMessageContaining("node thread died of")
                    .hasCauseInstanceOf(InternalError.class);
            Await.until(
                    DEADLINE,
                    () -> b.peers().stream().noneMatch(p -> p.id().equals(NodeId.of("a")) && p.connected()),
                    () -> "b sees a disconnected");
        }
    }

    /**
     * Node a's commit observer and listener throw {@code failure}s; 3 rounds of 50 sends are all processed. With {@code
     * storeThread}, a's store commits on a thread of its own (so the observer runs there).
     */
    private static void throwingCallbacksAreCountedAndChangeNothing(
            java.util.function.Function<String, ? extends Throwable> failure, boolean storeThread) throws Exception {
        AtomicLong observerCalls = new AtomicLong();
        AtomicLong listenerCalls = new AtomicLong();
        try (Cluster c = new Cluster("a", "b")) {
            Store store = storeThread ? onItsOwnThread(c.store("a")) : c.store("a");
            TetherNode a = c.start(
                    "a",
                    b -> b.store(store)
                            .commitObserver((nanos, entries, appended, committed) -> {
                                observerCalls.incrementAndGet();
                                throwUnchecked(failure.apply("observer bug"));
                            })
                            .listener(event -> {
                                listenerCalls.incrementAndGet();
                                throwUnchecked(failure.apply("listener bug"));
                            }));
            c.start("b");
            for (int round = 0; round < 3; round++) {
                List<SendReceipt> receipts = new ArrayList<>();
                for (int i = 0; i < 50; i++) receipts.add(a.send(NodeId.of("b"), utf8("r" + round + "m" + i)));
                for (SendReceipt r : receipts) {
                    assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
                }
            }
            Await.until(DEADLINE, () -> c.seen("b").size() == 150, () -> "b to get all 150");
            assertThat(observerCalls.get()).isPositive();
            assertThat(listenerCalls.get()).isPositive(); // b connected, at least
            Await.until(
                    DEADLINE,
                    () -> a.stats().listenerErrors() == observerCalls.get() + listenerCalls.get(),
                    () -> "every throw counted: " + a.stats().listenerErrors() + " of " + observerCalls + " + "
                            + listenerCalls);
        }
    }

    /** {@code store}, committed to on the node's store thread instead of the node thread (not non-blocking). */
    private static Store onItsOwnThread(Store store) {
        return new ForwardingStore(store) {
            @Override
            public boolean isNonBlocking() {
                return false;
            }
        };
    }

    private static void throwUnchecked(Throwable t) {
        if (t instanceof RuntimeException e) throw e;
        throw (Error) t;
    }
}
