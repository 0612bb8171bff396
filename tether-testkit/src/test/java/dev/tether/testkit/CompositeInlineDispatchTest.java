package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import dev.tether.transport.CompositeTransport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The composite's dispatch when its preferred member hosts the node ({@code nodeExecutor()}, as TCP does): an event
 * that member makes on its own thread is handled in the member's call, with no task between, unless an earlier event
 * of that member is still queued (order) or the event comes out of a listener call in progress (no nesting).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompositeInlineDispatchTest {
    private static final NodeId SELF = NodeId.of("self");
    private static final NodeId PEER = NodeId.of("peer");
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final HostingMember preferred = new HostingMember();
    private final HostingMember fallback = new HostingMember();
    private final CompositeTransport composite =
            CompositeTransport.builder().member(preferred).member(fallback).build();

    @AfterEach
    void close() {
        composite.close();
        preferred.shutdown();
        fallback.shutdown();
    }

    @Test
    void framesThePreferredMemberReadsOnItsThreadReachTheListenerInItsCall() throws Exception {
        Listener listener = new Listener();
        composite.start(SELF, listener);
        preferred.onItsThread(l -> l.onPeerUp(PEER));
        Await.until(DEADLINE, () -> composite.currentMember(PEER) == 0, () -> "the preferred member carries the peer");
        long before = composite.inlineEvents();
        for (int i = 0; i < 100; i++) {
            int n = i;
            preferred.onItsThread(l -> {
                l.onFrame(PEER, number(n));
                assertThat(listener.numbers())
                        .as("delivered within the member's call")
                        .endsWith(n);
            });
        }
        assertThat(listener.numbers()).isEqualTo(range(0, 100));
        assertThat(composite.inlineEvents() - before).isEqualTo(100);
        assertThat(preferred.failures).isEmpty();
    }

    @Test
    void anEventOnTheExecutorThreadWaitsBehindTheMembersEventsStillQueued() throws Exception {
        Listener listener = new Listener();
        composite.start(SELF, listener);
        preferred.onItsThread(l -> l.onPeerUp(PEER));
        Await.until(DEADLINE, () -> composite.currentMember(PEER) == 0, () -> "the preferred member carries the peer");
        preferred.onItsThread(l -> {
            // Frames 0-99 from another thread of the member: queued as tasks behind this one, which holds the thread.
            Thread other = new Thread(() -> {
                for (int i = 0; i < 100; i++) l.onFrame(PEER, number(i));
            });
            other.start();
            join(other);
            for (int i = 100; i < 200; i++) l.onFrame(PEER, number(i)); // on the executor's thread, after them
            assertThat(listener.numbers())
                    .as("none handled before the queued ones")
                    .isEmpty();
        });
        Await.until(DEADLINE, () -> listener.numbers().size() == 200, () -> "every frame delivered");
        assertThat(listener.numbers()).isEqualTo(range(0, 200));
        assertThat(preferred.failures).isEmpty();
    }

    /** A member that hands over a read's frames in one call (TCP) reaches the node in one call, inline or queued. */
    @Test
    void aReadsFramesReachTheListenerInOneCall() throws Exception {
        Listener listener = new Listener();
        composite.start(SELF, listener);
        preferred.onItsThread(l -> l.onPeerUp(PEER));
        Await.until(DEADLINE, () -> composite.currentMember(PEER) == 0, () -> "the preferred member carries the peer");
        preferred.onItsThread(l -> l.onFrames(PEER, numbers(0, 50))); // inline
        preferred.onItsThread(l -> {
            Thread other = new Thread(() -> l.onFrames(PEER, numbers(50, 80))); // queued behind this call
            other.start();
            join(other);
        });
        Await.until(DEADLINE, () -> listener.numbers().size() == 80, () -> "every frame delivered");
        assertThat(listener.numbers()).isEqualTo(range(0, 80));
        assertThat(listener.events).containsExactly("up begins", "up ends", "read of 50", "read of 30");

        // Not the peer's member, and not the executor's thread: queued, then dropped whole.
        fallback.onItsThread(l -> l.onFrames(PEER, numbers(80, 90)));
        Await.until(DEADLINE, () -> composite.droppedFrames() == 10, () -> "dropped " + composite.droppedFrames());
        assertThat(listener.numbers()).hasSize(80);
        assertThat(preferred.failures).isEmpty();
    }

    @Test
    void anEventMadeDuringAListenerCallIsHandledAfterIt() throws Exception {
        Listener listener = new Listener();
        // The node answers the peer's up by making the member report a frame at once, on this thread.
        listener.onUp = () -> preferred.listener.onFrame(PEER, number(7));
        composite.start(SELF, listener);
        preferred.onItsThread(l -> l.onPeerUp(PEER));
        Await.until(DEADLINE, () -> listener.numbers().size() == 1, () -> "the frame delivered");
        assertThat(listener.events).containsExactly("up begins", "up ends", "frame 7");
    }

    private static ByteBuffer number(int n) {
        return ByteBuffer.allocate(4).putInt(0, n);
    }

    private static List<ByteBuffer> numbers(int from, int to) {
        List<ByteBuffer> r = new ArrayList<>();
        for (int i = from; i < to; i++) r.add(number(i));
        return r;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) r.add(i);
        return r;
    }

    private static void join(Thread t) {
        try {
            t.join(DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(t.isAlive()).as("the member's other thread ended").isFalse();
    }

    /** The node's side: records the events in order; admits everyone. */
    private static final class Listener implements Transport.Listener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        private final List<Integer> numbers = Collections.synchronizedList(new ArrayList<>());
        volatile Runnable onUp = () -> {};

        List<Integer> numbers() {
            synchronized (numbers) {
                return new ArrayList<>(numbers);
            }
        }

        @Override
        public String admit(NodeId peer, PeerProof proof) {
            return null;
        }

        @Override
        public void onPeerUp(NodeId peer) {
            events.add("up begins");
            onUp.run();
            events.add("up ends");
        }

        @Override
        public void onPeerDown(NodeId peer) {
            events.add("down");
        }

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {
            int n = frame.getInt(0);
            events.add("frame " + n);
            numbers.add(n);
        }

        @Override
        public void onFrames(NodeId from, List<ByteBuffer> frames) {
            events.add("read of " + frames.size());
            for (ByteBuffer frame : frames) numbers.add(frame.getInt(0));
        }

        @Override
        public void onConnectionRejected(String remote, String reason) {
            events.add("rejected " + reason);
        }
    }

    /** A member with an I/O thread it offers as the node's executor; the test makes it report events on it. */
    private static final class HostingMember implements Transport {
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        volatile Transport.Listener listener;

        /** Runs {@code event} with the composite's listener on the member's thread and waits for it. */
        void onItsThread(Consumer<Transport.Listener> event) throws Exception {
            CountDownLatch done = new CountDownLatch(1);
            thread.execute(() -> {
                try {
                    event.accept(listener);
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.countDown();
                }
            });
            assertThat(done.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the member's event ran")
                    .isTrue();
        }

        void shutdown() {
            thread.shutdownNow();
        }

        @Override
        public void start(NodeId self, Transport.Listener listener) {
            this.listener = listener;
        }

        @Override
        public boolean send(NodeId peer, ByteBuffer frame) {
            return true;
        }

        @Override
        public ScheduledExecutorService nodeExecutor() {
            return thread;
        }

        @Override
        public int maxFrameBytes() {
            return 1 << 20;
        }

        @Override
        public void connect(NodeId peer, List<String> addresses) {}

        @Override
        public void disconnect(NodeId peer) {}

        @Override
        public void close() {}
    }
}
