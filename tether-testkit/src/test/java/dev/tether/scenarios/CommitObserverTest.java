package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

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
        throwingCallbacksAreCountedAndChangeNothing(IllegalStateException::new);
    }

    /**
     * An {@link AssertionError} (a test's listener, an {@code assert}) is counted like an exception: it neither
     * aborts the command that emitted the event nor, thrown again from the report of that failure, ends the loop.
     */
    @Test
    void anObserverOrListenerThatThrowsAnAssertionErrorIsCountedAndChangesNothing() throws Exception {
        throwingCallbacksAreCountedAndChangeNothing(AssertionError::new);
    }

    /** Node a's commit observer and listener throw {@code failure}s; 3 rounds of 50 sends are all processed. */
    private static void throwingCallbacksAreCountedAndChangeNothing(
            java.util.function.Function<String, ? extends Throwable> failure) throws Exception {
        AtomicLong observerCalls = new AtomicLong();
        AtomicLong listenerCalls = new AtomicLong();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start(
                    "a",
                    b -> b.commitObserver((nanos, entries, appended, committed) -> {
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

    private static void throwUnchecked(Throwable t) {
        if (t instanceof RuntimeException e) throw e;
        throw (Error) t;
    }
}
