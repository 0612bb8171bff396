package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.spi.Discovery;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws an {@link Error} (TetherListener): an application's own Error is the listener's bug, like an
 * exception: counted in {@code listenerErrors}, and the node keeps serving. Before, it ended the node loop's thread and
 * left a zombie: transport and store open (peers still saw the node connected), every later send failing with "node
 * a shut down before this send's outcome was known" although nobody shut it down, and nothing said why. Only a
 * {@link VirtualMachineError} ends the loop, and then the node logs why and closes itself: its peers see it go, its
 * sends fail with {@link NodeClosedException}.
 */
class ListenerErrorTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void aListenerThrowingAnErrorIsCountedAndTheNodeKeepsServing() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            c.start("b");
            AtomicBoolean thrown = new AtomicBoolean();
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.listener(e -> {
                        if (e instanceof TetherEvent.PeerConnected && thrown.compareAndSet(false, true)) {
                            throw new Error("listener bug (test)");
                        }
                    }));
            Outcome outcome = a.send(B, utf8("m")).processed().get(10, TimeUnit.SECONDS);
            assertThat(thrown).isTrue();
            assertThat(outcome).isEqualTo(Outcome.PROCESSED);
            assertThat(a.stats().listenerErrors()).isEqualTo(1);
        }
    }

    @Test
    void aVirtualMachineErrorFromTheListenerClosesTheNodeAndSaysWhy() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start("b");
            AtomicBoolean thrown = new AtomicBoolean();
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.listener(e -> {
                        if (e instanceof TetherEvent.PeerConnected && thrown.compareAndSet(false, true)) {
                            throw new InternalError("VM error (test)");
                        }
                    }));
            CompletableFuture<Outcome> before = a.send(B, utf8("m")).processed();
            Await.until(DEADLINE, thrown::get, () -> "a's listener saw b connect");
            NodeClosedException refused = awaitRefusal(a);
            Await.until(
                    DEADLINE,
                    () -> b.peers().stream().noneMatch(p -> p.id().equals(A) && p.connected()),
                    () -> "b sees a disconnected: "
                            + b.peers().stream().map(PeerInfo::connected).toList());
            // The send taken before the error is answered: processed, or failed as the node closed.
            Await.until(DEADLINE, before::isDone, () -> "the send taken before the error answered");
            try {
                before.get();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NodeClosedException.class);
            }
            assertThat(refused)
                    .as("a send refused after the loop died says why")
                    .hasMessageContaining("node thread died of")
                    .hasCauseInstanceOf(InternalError.class);
            assertThat(a.shutdown(Duration.ofSeconds(3))).isNotNull(); // the cached result of the node's own close
        }
    }

    /**
     * A {@code processed()} asked for after the node closed itself is refused with the error that closed it as its
     * cause, and says the node closed because of it, as one asked for before the close and a send refused after it do:
     * it used to say only that the node "shut down", with no cause. Its outcome is unknown: node c never starts.
     */
    @Test
    void processedAskedForAfterTheNodeClosedItselfCarriesTheCause() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            c.start("b");
            AtomicBoolean thrown = new AtomicBoolean();
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.listener(e -> {
                        if (e instanceof TetherEvent.PeerConnected && thrown.compareAndSet(false, true)) {
                            throw new InternalError("VM error (test)");
                        }
                    }));
            SendReceipt askedBefore = a.send(NodeId.of("c"), utf8("before"));
            CompletableFuture<Outcome> before = askedBefore.processed();
            SendReceipt askedAfter = a.send(NodeId.of("c"), utf8("after"));
            Await.until(DEADLINE, thrown::get, () -> "a's listener saw b connect");
            awaitRefusal(a);
            Await.until(DEADLINE, before::isDone, () -> "the processed() asked for before the close answered");
            CompletableFuture<Outcome> after = askedAfter.processed();
            Await.until(DEADLINE, after::isDone, () -> "the processed() asked for after the close answered");
            for (CompletableFuture<Outcome> f : List.of(before, after)) {
                assertThatThrownBy(f::get)
                        .cause()
                        .isInstanceOf(NodeClosedException.class)
                        .hasMessageContaining("closed itself: its node thread died of java.lang.InternalError")
                        .hasCauseInstanceOf(InternalError.class);
            }
        }
    }

    /**
     * Hosted on a transport's executor ({@code Transport.nodeExecutor()}, as over TCP: HostedLoopFatalErrorTest in
     * tether-transport-tcp), the loop ends once although a turn task was already queued when the error came: that task
     * found the loop stopped and ended it a second time, logging the error again and starting a second close.
     */
    @Test
    void hostedTheLoopEndsOnceWithATurnTaskStillQueued() throws Exception {
        List<String> closing = new CopyOnWriteArrayList<>();
        Handler counting = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                if (m != null && m.contains("hosted VM error (test)") && m.contains("closes itself")) closing.add(m);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger("dev.tether");
        log.addHandler(counting);
        try (Cluster c = new Cluster("a", "b")) {
            Map<NodeId, HostingTransport> hosts = new ConcurrentHashMap<>();
            c.transports(
                    id -> hosts.computeIfAbsent(id, k -> new HostingTransport(c.network.newTransport(), "host-" + k)));
            c.start("b");
            CountDownLatch inListener = new CountDownLatch(1);
            CountDownLatch queued = new CountDownLatch(1);
            AtomicBoolean thrown = new AtomicBoolean();
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.discovery(drainingOnClose(hosts, A)).listener(e -> {
                        if (e instanceof TetherEvent.PeerConnected && thrown.compareAndSet(false, true)) {
                            inListener.countDown();
                            awaitQuietly(queued);
                            throw new InternalError("hosted VM error (test)");
                        }
                    }));
            assertThat(inListener.await(10, TimeUnit.SECONDS))
                    .as("a's listener saw b connect")
                    .isTrue();
            a.send(B, utf8("m")); // the host runs the listener's turn: this queues another turn task behind it
            queued.countDown();
            awaitRefusal(a);
            assertThat(a.shutdown(Duration.ofSeconds(3))).isNotNull(); // the node's own close has ended
            assertThat(closing).as("the loop's end logged").hasSize(1);
        } finally {
            log.removeHandler(counting);
        }
    }

    /**
     * A discovery that does nothing but, when the node closes it (before the transport), waits until {@code id}'s host
     * has run every task queued so far: a turn task queued when the loop died runs before the host is shut down.
     */
    private static Discovery drainingOnClose(Map<NodeId, HostingTransport> hosts, NodeId id) {
        return new Discovery() {
            @Override
            public void start(NodeId self, Listener listener) {}

            @Override
            public void close() {
                try {
                    hosts.get(id).nodeExecutor().submit(() -> {}).get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("host of " + id + " did not drain", e);
                }
            }
        };
    }

    private static NodeClosedException awaitRefusal(TetherNode a) {
        return Await.untilClosedForSends(DEADLINE, a, B, "a closes itself after its loop died");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("the test never released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
