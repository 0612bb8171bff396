package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.failure;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.CallsTest.text;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.EventPoisonedException;
import dev.tether.EventStats;
import dev.tether.NodeId;
import dev.tether.StaleEventException;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.UnknownEventException;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Distributed events between real nodes (in-memory transport and stores): await before and after completion, on the
 * owner and elsewhere, poison, generations, the bounded history, an owner that is down or restarts.
 */
class EventsTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void anAwaitOnTheOwnerCompletesOnTriggerAndAgainAfterItFromTheHistory() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            EventHandle e = a.createEvent();
            CompletableFuture<byte[]> before = a.await(e);
            assertThat(before).isNotDone();
            get(a.trigger(e, utf8("ready")));
            assertThat(text(get(before))).isEqualTo("ready");
            assertThat(text(get(a.await(e)))).isEqualTo("ready");
            assertThat(a.eventStats().completed()).isEqualTo(1);
            assertThat(a.eventStats().pending()).isZero();
        }
    }

    @Test
    void anAwaitOnAnotherNodeIsNotifiedByATriggerFromAThirdAndAnsweredFromTheHistoryAfterwards() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode cc = c.start("c");
            EventHandle e = a.createEvent("job-7");
            CompletableFuture<byte[]> remote = b.await(e);
            CompletableFuture<byte[]> second = b.await(e); // one registration at the owner serves both
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
            assertThat(remote).isNotDone();
            get(cc.trigger(EventHandle.parse(e.toString()), utf8("done"))); // the handle travels as text
            assertThat(text(get(remote))).isEqualTo("done");
            assertThat(text(get(second))).isEqualTo("done");
            assertThat(text(get(b.await(e)))).isEqualTo("done");
            assertThat(text(get(cc.await(e)))).isEqualTo("done");
            assertThat(a.eventStats().remoteWaiters()).isZero();
        }
    }

    /**
     * A node's await the application drops (cancel, {@code orTimeout}) is withdrawn at the owner when it was the node's
     * last future for the event: the owner forgets the waiter, sends it no notice, and a later await registers again.
     */
    @Test
    void anAwaitTheApplicationDropsIsWithdrawnAtTheOwnerWithTheNodesLastFuture() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            EventHandle e = a.createEvent("job-8");
            CompletableFuture<byte[]> cancelled = b.await(e);
            CompletableFuture<byte[]> timedOut = b.await(e);
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
            assertThat(cancelled.cancel(true)).isTrue();
            // b still waits with timedOut: no withdrawal (one would reach a before this later await on the stream)
            CompletableFuture<byte[]> other = b.await(a.createEvent("job-9"));
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 2, () -> "b still waiting for both");

            assertThat(timedOut.completeExceptionally(new java.util.concurrent.TimeoutException()))
                    .isTrue();
            assertThat(other.cancel(true)).isTrue();
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 0, () -> "withdrawn at a: " + a.eventStats());
            assertThat(b.eventStats().awaitingRemote()).isZero();

            CompletableFuture<byte[]> again = b.await(e);
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a again");
            get(a.trigger(e, utf8("done")));
            assertThat(text(get(again))).isEqualTo("done");
            assertThat(b.eventStats().noticesDropped())
                    .as("no notice for a withdrawn await")
                    .isZero();
            assertThat(a.eventStats().invalidMessages()).isZero();
        }
    }

    @Test
    void aPoisonFailsEveryWaiterWithItsReasonAndTheFirstCompletionWins() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            EventHandle e = a.createEvent();
            CompletableFuture<byte[]> local = a.await(e);
            CompletableFuture<byte[]> remote = b.await(e);
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
            get(b.poison(e, "disk full"));
            for (CompletableFuture<byte[]> f : java.util.List.of(local, remote)) {
                assertThat(failure(f))
                        .isInstanceOf(EventPoisonedException.class)
                        .hasMessageContaining("disk full")
                        .satisfies(x -> assertThat(((EventPoisonedException) x).reason())
                                .isEqualTo("disk full"))
                        .satisfies(x ->
                                assertThat(((EventPoisonedException) x).event()).isEqualTo(e));
            }
            get(a.trigger(e, utf8("late"))); // changes nothing: the poison came first
            get(b.trigger(e));
            Await.until(WAIT, () -> a.eventStats().ignoredCompletions() == 2, () -> "both triggers ignored");
            assertThat(failure(b.await(e))).isInstanceOf(EventPoisonedException.class);
            assertThat(c.events("a"))
                    .filteredOn(x -> x instanceof TetherEvent.ApplicationError)
                    .anySatisfy(x -> assertThat(x.toString()).contains("completed already"));
        }
    }

    @Test
    void aNewGenerationSupersedesTheOldOneWhoseWaitersAndLaterUsesGetAStaleOutcome() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            EventHandle g1 = a.createEvent("config");
            CompletableFuture<byte[]> localOld = a.await(g1);
            CompletableFuture<byte[]> remoteOld = b.await(g1);
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
            EventHandle g2 = a.createEvent("config");
            assertThat(g2.id()).isEqualTo(g1.id());
            assertThat(g2.generation()).isGreaterThan(g1.generation());
            for (CompletableFuture<byte[]> f : java.util.List.of(localOld, remoteOld)) {
                Throwable t = failure(f);
                assertThat(t).isInstanceOf(StaleEventException.class);
                assertThat(((StaleEventException) t).currentGeneration()).isEqualTo(g2.generation());
            }
            get(b.trigger(g1, utf8("old"))); // stale: ignored at the owner
            Await.until(WAIT, () -> a.eventStats().ignoredCompletions() == 1, () -> "stale trigger ignored");
            assertThat(a.await(g2)).isNotDone();
            assertThat(failure(b.await(g1))).isInstanceOf(StaleEventException.class);
            get(b.trigger(g2, utf8("new")));
            assertThat(text(get(a.await(g2)))).isEqualTo("new");
            assertThat(text(get(b.await(g2)))).isEqualTo("new");
        }
    }

    @Test
    void anEventUnknownToItsOwnerOrForgottenBeyondTheHistoryFailsTheAwaitAtOnce() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", b -> b.events(2, 100));
            TetherNode b = c.start("b");
            EventHandle[] e = new EventHandle[3];
            for (int i = 0; i < 3; i++) {
                e[i] = a.createEvent("e" + i);
                get(a.trigger(e[i], utf8("v" + i)));
            }
            assertThat(failure(a.await(e[0]))).isInstanceOf(UnknownEventException.class);
            assertThat(failure(b.await(e[0]))).isInstanceOf(UnknownEventException.class);
            assertThat(text(get(b.await(e[1])))).isEqualTo("v1");
            EventStats s = a.eventStats();
            assertThat(s.completed()).isEqualTo(2);
            assertThat(s.forgotten()).isEqualTo(1);
            EventHandle never = new EventHandle(NodeId.of("a"), "never-made", 5);
            assertThat(failure(a.await(never))).isInstanceOf(UnknownEventException.class);
            assertThat(failure(b.await(never)))
                    .isInstanceOf(UnknownEventException.class)
                    .hasMessageContaining("a/never-made/5");
        }
    }

    @Test
    void aTriggerSentWhileTheOwnerIsDownArrivesWhenItReturnsAndNotifiesTheWaiterRegisteredBefore() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode cc = c.start("c");
            EventHandle e = a.createEvent("batch");
            CompletableFuture<byte[]> waiting = b.await(e);
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
            c.kill("a"); // as SIGKILL: only what was committed survives
            get(cc.trigger(e, utf8("while-down"))); // stored in c's outbox
            CompletableFuture<byte[]> lateAwait = cc.await(e); // registered when a returns
            assertThat(waiting).isNotDone();
            TetherNode a2 = c.start("a");
            assertThat(text(get(waiting))).isEqualTo("while-down");
            assertThat(text(get(lateAwait))).isEqualTo("while-down");
            assertThat(text(get(a2.await(e)))).isEqualTo("while-down");
            assertThat(a2.eventStats().pending()).isZero();
        }
    }

    @Test
    void theRegistryAndItsRemoteWaitersSurviveAnOwnerRestart() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            EventHandle done = a.createEvent("done");
            get(a.poison(done, "cancelled"));
            EventHandle open = a.createEvent("open");
            CompletableFuture<byte[]> waiting = b.await(open);
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
            c.crash("a");
            TetherNode a2 = c.start("a");
            assertThat(a2.eventStats().pending()).isEqualTo(1);
            assertThat(a2.eventStats().remoteWaiters()).isEqualTo(1);
            assertThat(((EventPoisonedException) failure(a2.await(done))).reason())
                    .isEqualTo("cancelled");
            get(a2.trigger(open, utf8("after-restart")));
            assertThat(text(get(waiting))).isEqualTo("after-restart"); // notified by the restarted owner
            EventHandle next = a2.createEvent("open");
            assertThat(next.generation()).isGreaterThan(open.generation());
        }
    }

    @Test
    void anAwaitOfAnEventOfAnUnknownPeerFailsAndBadArgumentsThrow() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            EventHandle elsewhere = new EventHandle(NodeId.of("zz"), "x", 1);
            assertThat(failure(a.await(elsewhere))).isInstanceOf(dev.tether.UnknownPeerException.class);
            assertThatThrownBy(() -> a.trigger(elsewhere)).isInstanceOf(dev.tether.UnknownPeerException.class);
            EventHandle e = a.createEvent();
            assertThatThrownBy(() -> a.trigger(e, new byte[EventLimits.MAX_PAYLOAD_BYTES + 1]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MAX_PAYLOAD_BYTES");
            assertThatThrownBy(() -> a.poison(e, "x".repeat(EventLimits.MAX_REASON_CHARS + 1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.createEvent("no spaces"))
                    .isInstanceOf(dev.tether.InvalidEventHandleException.class);
        }
    }

    @Test
    void theMostPendingEventsABoundAndCreatingBeyondThrows() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", b -> b.events(10, 2));
            EventHandle e1 = a.createEvent();
            a.createEvent();
            assertThatThrownBy(a::createEvent).isInstanceOf(dev.tether.QueueFullException.class);
            get(a.trigger(e1));
            a.createEvent(); // room again
        }
    }

    @Test
    void malformedEventMessagesAreCountedAndDroppedAndTheNodeKeepsServing() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            NodeRuntime rb = ((RealTetherNode) b).runtime();
            java.util.Map<String, String> tell = java.util.Map.of(":h", "_event", ":k", "t");
            rb.submit(NodeId.of("a"), "_ev", tell, utf8("garbage"), 0, null);
            EventHandle notA = new EventHandle(NodeId.of("b"), "x", 1); // a trigger sent to a node not its owner
            byte[] trigger = new byte[] {1, 1, 0, 5, 'b', '/', 'x', '/', '1', 0, 0, 0, 0};
            assertThat(EventHandle.fromBytes(java.util.Arrays.copyOfRange(trigger, 4, 9)))
                    .isEqualTo(notA);
            rb.submit(NodeId.of("a"), "_ev", tell, trigger, 0, null);
            rb.submit(NodeId.of("a"), "other", tell, trigger, 0, null); // the right bytes on the wrong lane
            Await.until(WAIT, () -> a.eventStats().invalidMessages() == 3, () -> "3 invalid, " + a.eventStats());
            assertThat(a.stats().protocolErrors()).isGreaterThanOrEqualTo(1);
            EventHandle e = a.createEvent();
            CompletableFuture<byte[]> w = b.await(e);
            get(b.trigger(e, utf8("still serving")));
            assertThat(text(get(w))).isEqualTo("still serving");
        }
    }
}
