package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Transport}: tests for its numbered rules. Subclass it in a test source set and
 * implement {@link #newFixture()}.
 *
 * <p>Every listener is a {@link RecordingListener}, so every test also checks the listener rules (up and
 * down alternate, frames only while up, one call at a time per peer, no frame above {@code maxFrameBytes}, no
 * call after {@code close} returned); the suite fails a test that broke any of them.
 *
 * <p>A transport may lose frames, but nothing can be checked about frames that never arrive: the suite
 * expects that frames sent on a healthy connection, at the modest rates used here, arrive. Tests that cut
 * links run only if the fixture {@linkplain Fixture#supportsLinkControl() supports} it, and are otherwise
 * reported as skipped by a JUnit assumption.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportContract {
    /** For subclasses: one per implementation under test. */
    protected TransportContract() {}

    /** How long any awaited condition may take. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Largest frame the suite sends: frames near a huge {@code maxFrameBytes} are capped to this. */
    private static final int LARGEST_TEST_FRAME = 16 << 20;

    protected static final NodeId A = NodeId.of("a");
    protected static final NodeId B = NodeId.of("b");
    protected static final NodeId C = NodeId.of("c");

    /** The transports of one test and the links between them. */
    public interface Fixture extends AutoCloseable {
        /**
         * A new, unstarted transport that the suite will start as {@code id}; once started it must connect to
         * every other started transport of this fixture whose link is not cut.
         */
        Transport newTransport(NodeId id);

        /** Whether {@link #disconnect} and {@link #connect} work. */
        default boolean supportsLinkControl() {
            return false;
        }

        /** Breaks the connection between {@code a} and {@code b} and keeps it broken until {@link #connect}. */
        default void disconnect(NodeId a, NodeId b) {
            throw new UnsupportedOperationException("this fixture has no link control");
        }

        /** Lets {@code a} and {@code b} connect again. */
        default void connect(NodeId a, NodeId b) {
            throw new UnsupportedOperationException("this fixture has no link control");
        }

        /**
         * The addresses node {@code from} gives {@link Transport#connect} to reach {@code to}; empty (the default)
         * for transports that find their peers by themselves.
         */
        default List<String> addressesOf(NodeId to, NodeId from) {
            return List.of();
        }

        /** An address {@link Transport#connect} cannot parse, or null (the default) if it ignores addresses. */
        default String unparsableAddress() {
            return null;
        }

        /** Releases the fixture's own resources; the suite has closed every transport it started by then. */
        @Override
        void close();
    }

    /** A started transport and its listener. */
    protected record Node(NodeId id, Transport transport, RecordingListener listener) {
        /** Sends {@code bytes} as one frame to {@code peer}. */
        public boolean send(NodeId peer, byte[] bytes) {
            return transport.send(peer, ByteBuffer.wrap(bytes));
        }
    }

    private Fixture fixture;
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> senderFailures = new CopyOnWriteArrayList<>();

    /** A new fixture; called before each test. */
    protected abstract Fixture newFixture();

    @BeforeEach
    final void createFixture() {
        fixture = newFixture();
    }

    @AfterEach
    final void closeAndCheckRules() {
        nodes.forEach(this::close);
        fixture.close();
        List<String> broken = new ArrayList<>(senderFailures);
        nodes.forEach(n -> broken.addAll(n.listener().violations()));
        assertThat(broken).as("transport rules broken").isEmpty();
    }

    // ---- rule 1 and 4: start, up

    @Test
    void startedTransportsSeeEachOtherUp() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);

        awaitUp(a, B, C);
        awaitUp(b, A, C);
        awaitUp(c, A, B);
    }

    // ---- rule 2 and 3: whole frames, handed-over buffers

    @Test
    void framesArriveWholeAndUnmodified() {
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);
        awaitUp(b, A);
        int max = Math.min(a.transport().maxFrameBytes(), LARGEST_TEST_FRAME);
        Random random = new Random(42);
        Set<String> sent = new HashSet<>();
        for (int size : new int[] {0, 1, 7, 1000, 65_536, 1_000_003, max - 1, max}) {
            if (size < 0 || size > max) continue;
            byte[] content = new byte[size];
            random.nextBytes(content);
            // the frame sits between foreign bytes: only position..limit may be sent
            ByteBuffer buffer = ByteBuffer.allocate(size + 20);
            buffer.put(new byte[10]).put(content).put(new byte[10]).position(10).limit(10 + size);
            assertThat(a.transport().send(B, buffer))
                    .as("send of %d bytes", size)
                    .isTrue();
            sent.add(digest(content));
        }

        Await.until(
                TIMEOUT,
                () -> digests(b).containsAll(sent),
                () -> "all frames at b, got " + digests(b).size() + " of " + sent.size() + " (b saw a go down "
                        + b.listener().downs(A) + " times, a saw b go down "
                        + a.listener().downs(B) + " times)");
        assertThat(digests(b)).isEqualTo(sent);
        assertThat(b.listener().frames()).allSatisfy(f -> assertThat(f.from()).isEqualTo(A));
        byte[] last = {1, 2, 3};
        a.send(B, last);
        Await.until(TIMEOUT, () -> digests(b).contains(digest(last)), () -> "one more frame at b");
        assertThat(b.listener().frames())
                .as("handed-over buffers are never modified")
                .allMatch(RecordingListener.Frame::unmodified);
    }

    @Test
    void senderMayReuseItsBufferAfterSend() {
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);
        ByteBuffer buffer = ByteBuffer.allocate(64);
        for (int i = 0; i < 100; i++) {
            buffer.clear();
            while (buffer.hasRemaining()) buffer.put((byte) i);
            buffer.flip();
            assertThat(a.transport().send(B, buffer)).isTrue();
        }

        Await.until(
                TIMEOUT,
                () -> b.listener().frames().stream()
                                .map(f -> f.bytes()[0])
                                .distinct()
                                .count()
                        == 100,
                () -> "100 different frames at b");
        assertThat(b.listener().frames())
                .allSatisfy(f -> assertThat(f.bytes()).hasSize(64).containsOnly(f.bytes()[0]));
    }

    // ---- rule 4 and 1: down, close, restart

    @Test
    void closeStopsListenerCallsAndPeersSeeDown() {
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);
        awaitUp(b, A);
        AtomicBoolean stop = new AtomicBoolean();
        Thread sender = sendUntil(stop, a, B, 100);

        close(b);
        Await.until(TIMEOUT, () -> !a.listener().isUp(B), () -> "a to see b down");
        stop(sender, stop);
        assertThat(a.send(B, new byte[1])).as("send to a peer that is down").isFalse();
        assertThat(a.listener().history(B)).containsSubsequence("up", "down");
        assertThatCode(b.transport()::close).as("second close").doesNotThrowAnyException();
    }

    @Test
    void restartedPeerIsSeenDownThenUp() {
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);

        close(b);
        Await.until(TIMEOUT, () -> !a.listener().isUp(B), () -> "a to see b down");
        Node b2 = start(B);
        awaitUp(a, B);
        awaitUp(b2, A);
        assertThat(a.send(B, new byte[] {9})).isTrue();

        Await.until(TIMEOUT, () -> !b2.listener().frames().isEmpty(), () -> "frame at the restarted b");
        assertThat(a.listener().ups(B)).isEqualTo(2);
        assertThat(a.listener().downs(B)).isEqualTo(1);
    }

    @Test
    void upAndDownAlternateAcrossLinkCuts() {
        Assumptions.assumeTrue(fixture.supportsLinkControl(), "the fixture has no link control");
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);
        awaitUp(b, A);
        AtomicBoolean stop = new AtomicBoolean();
        Thread aToB = sendUntil(stop, a, B, 32);
        Thread bToA = sendUntil(stop, b, A, 32);

        // Each round's counts, so a failure says in which round an extra connection came (and with what
        // rejections), not only that one did.
        List<String> rounds = new ArrayList<>(List.of(upsAndDowns(a, b)));
        for (int round = 1; round <= 5; round++) {
            fixture.disconnect(A, B);
            Await.until(TIMEOUT, () -> !a.listener().isUp(B) && !b.listener().isUp(A), () -> "a and b to see down");
            assertThat(a.send(B, new byte[1])).as("send while the link is cut").isFalse();
            fixture.connect(A, B);
            awaitUp(a, B);
            awaitUp(b, A);
            rounds.add(upsAndDowns(a, b));
        }
        stop(aToB, stop);
        stop(bToA, stop);

        rounds.add("at the end " + upsAndDowns(a, b));
        String story = String.join("; ", rounds) + "; a's rejections "
                + a.listener().rejections() + ", b's " + b.listener().rejections();
        assertThat(a.listener().ups(B)).as(story).isEqualTo(6);
        assertThat(a.listener().downs(B)).as(story).isEqualTo(5);
        assertThat(b.listener().ups(A)).as(story).isEqualTo(6);
        assertThat(b.listener().downs(A)).as(story).isEqualTo(5);
    }

    private static String upsAndDowns(Node a, Node b) {
        return "a saw b up " + a.listener().ups(B) + "/down " + a.listener().downs(B) + ", b saw a up "
                + b.listener().ups(A) + "/down " + b.listener().downs(A);
    }

    // ---- rule 6: send

    @Test
    void sendToUnconnectedPeerReturnsFalse() {
        Node a = start(A);

        assertThat(a.send(NodeId.of("nobody"), new byte[] {1})).isFalse();
        assertThat(a.send(B, new byte[] {1})).isFalse();
    }

    @Test
    void concurrentSendersDeliverWholeFrames() throws InterruptedException {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        awaitUp(a, B, C);
        int threads = 4;
        int perThread = 1000;
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            senders.add(startThread("sender-" + t, () -> {
                for (int i = 0; i < perThread; i++) {
                    NodeId to = i % 2 == 0 ? B : C;
                    if (a.send(to, numberedFrame(thread, i))) accepted.add(to + ":" + thread + ":" + i);
                }
            }));
        }
        for (Thread t : senders) t.join(TIMEOUT.toMillis());

        assertThat(senders).noneMatch(Thread::isAlive);
        assertThat(accepted).hasSize(threads * perThread);
        Await.until(
                TIMEOUT,
                () -> numbers(b).size() + numbers(c).size() == accepted.size(),
                () -> "all frames at b and c, got "
                        + (numbers(b).size() + numbers(c).size()));
        Set<String> received = new HashSet<>(numbers(b));
        received.addAll(numbers(c));
        assertThat(received).isEqualTo(accepted);
        assertThat(b.listener().frames()).allSatisfy(f -> assertThat(f.from()).isEqualTo(A));
    }

    // ---- rule 8: frame size

    @Test
    void framesAboveMaxFrameBytesAreNotDelivered() {
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);
        int max = a.transport().maxFrameBytes();
        Assumptions.assumeTrue(max <= LARGEST_TEST_FRAME, "maxFrameBytes " + max + " is too large to test cheaply");

        Throwable thrown = catchThrowable(() -> a.transport().send(B, ByteBuffer.allocate(max + 1)));
        assertThat(thrown)
                .as("an oversize send returns or throws IllegalArgumentException")
                .satisfiesAnyOf(
                        t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IllegalArgumentException.class));
        assertThat(a.send(B, new byte[] {7})).isTrue();

        Await.until(TIMEOUT, () -> !b.listener().frames().isEmpty(), () -> "the small frame at b");
        assertThat(b.listener().frames())
                .allSatisfy(f -> assertThat(f.bytes().length).isLessThanOrEqualTo(max));
    }

    // ---- rule 9: the node executor

    @Test
    void nodeExecutorRunsTasksInOrderOnTheThreadOfEveryListenerCall() {
        Node a = start(A);
        Node b = start(B);
        awaitUp(a, B);
        awaitUp(b, A); // b sends below: a seeing b up does not mean b sees a up yet
        ScheduledExecutorService executor = a.transport().nodeExecutor();
        Assumptions.assumeTrue(executor != null, "the transport offers no executor: the node runs its own thread");
        List<Integer> order = new CopyOnWriteArrayList<>();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            executor.execute(() -> {
                order.add(n);
                threads.add(Thread.currentThread());
            });
        }
        ScheduledFuture<?> scheduled =
                executor.schedule(() -> threads.add(Thread.currentThread()), 1, TimeUnit.MILLISECONDS);
        assertThat(b.send(A, new byte[] {1, 2, 3})).isTrue();

        Await.until(
                TIMEOUT,
                () -> order.size() == 1_000
                        && scheduled.isDone()
                        && !a.listener().frames().isEmpty(),
                () -> "tasks, the scheduled task and the frame at a");
        assertThat(order).as("tasks run in submission order").isSorted().hasSize(1_000);
        assertThat(threads).as("tasks run on one thread").hasSize(1);
        assertThat(a.listener().callingThreads())
                .as("every listener call is made on the executor's thread")
                .isEqualTo(threads);
    }

    // ---- rule 10: admission

    @Test
    void aRefusedPeerIsNeverUpAndTheRefusalIsReported() {
        Node a = start(A, l -> l.refuse(B, "b is not welcome here"));
        Node b = start(B);
        Node c = start(C);
        awaitUp(a, C);
        awaitUp(b, C);
        Await.until(TIMEOUT, () -> a.listener().rejected("b is not welcome here"), () -> "a to report b's refusal");
        assertThat(a.listener().admissionRequests(B)).isPositive();
        assertThat(a.listener().ups(B)).isZero();
        assertThat(b.listener().ups(A)).isZero();
        assertThat(b.send(A, new byte[] {1})).as("send from the refused peer").isFalse();
        assertThat(a.send(B, new byte[] {1})).as("send to the refused peer").isFalse();
        assertThat(a.listener().lastProof(C)).as("the proof a transport gives").isNotNull();
    }

    @Test
    void connectAsksAgainAboutAPeerThatWasRefused() {
        Node a = start(A, l -> l.refuse(B, "not yet"));
        Node b = start(B);
        Await.until(TIMEOUT, () -> a.listener().rejected("not yet"), () -> "a to refuse b");
        a.listener().admitAgain(B);
        a.transport().connect(B, fixture.addressesOf(B, A));
        awaitUp(a, B);
        awaitUp(b, A);
        assertThat(a.send(B, new byte[] {7})).isTrue();
        Await.until(TIMEOUT, () -> !b.listener().frames().isEmpty(), () -> "the frame at b");
    }

    // ---- rule 11: connect and disconnect

    @Test
    void disconnectClosesTheConnectionAndARefusedPeerStaysDown() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        awaitUp(a, B, C);
        awaitUp(b, A);
        a.listener().refuse(B, "removed");
        a.transport().disconnect(B);
        Await.until(TIMEOUT, () -> !a.listener().isUp(B) && !b.listener().isUp(A), () -> "a and b to see down");
        assertThat(a.send(B, new byte[1])).isFalse();
        assertThat(a.listener().isUp(C)).as("other peers stay").isTrue();
        assertThat(a.send(C, new byte[] {3})).isTrue();
        Await.until(TIMEOUT, () -> !c.listener().frames().isEmpty(), () -> "a's frame at c");

        a.listener().admitAgain(B);
        a.transport().connect(B, fixture.addressesOf(B, A));
        awaitUp(a, B);
        awaitUp(b, A);
        assertThat(a.listener().ups(B)).isEqualTo(2);
    }

    @Test
    void connectRefusesAnAddressItCannotParseBeforeChangingAnything() {
        String bad = fixture.unparsableAddress();
        Assumptions.assumeTrue(bad != null, "this transport ignores addresses");
        Node a = start(A);
        assertThatCode(() -> a.transport().connect(B, List.of(bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad);
        Node b = start(B);
        awaitUp(a, B);
    }

    // ---- helpers

    /** Starts a transport of the fixture as {@code id}; the suite closes it after the test. */
    protected Node start(NodeId id) {
        return start(id, l -> {});
    }

    /** Same as {@link #start(NodeId)}, preparing the listener (for example refusing a peer) before the start. */
    protected Node start(NodeId id, Consumer<RecordingListener> prepare) {
        Transport transport = fixture.newTransport(id);
        RecordingListener listener = new RecordingListener(id.value(), transport.maxFrameBytes());
        prepare.accept(listener);
        Node node = new Node(id, transport, listener);
        nodes.add(node);
        transport.start(id, listener);
        return node;
    }

    /** Closes {@code node}'s transport; any listener call after this returns is a violation. */
    protected void close(Node node) {
        node.transport().close();
        node.listener().markClosed();
    }

    /** Waits until {@code node} sees each of {@code peers} up. */
    protected static void awaitUp(Node node, NodeId... peers) {
        for (NodeId peer : peers) {
            Await.until(TIMEOUT, () -> node.listener().isUp(peer), () -> node.id() + " to see " + peer + " up");
        }
    }

    private Thread sendUntil(AtomicBoolean stop, Node from, NodeId to, int frameBytes) {
        return startThread("send-" + from.id() + "-" + to, () -> {
            byte[] frame = new byte[frameBytes];
            while (!stop.get()) from.send(to, frame);
        });
    }

    private void stop(Thread sender, AtomicBoolean stop) {
        stop.set(true);
        try {
            sender.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping " + sender.getName(), e);
        }
        assertThat(sender.isAlive()).as(sender.getName() + " stopped").isFalse();
    }

    /** Starts a daemon thread running {@code body}; an exception it throws fails the test. */
    private Thread startThread(String name, Runnable body) {
        Thread t = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (RuntimeException e) {
                        senderFailures.add(name + " threw " + e);
                        throw e;
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A frame naming its sender thread and number, with a random length and a CRC-32 trailer. */
    private static byte[] numberedFrame(int thread, int i) {
        Random random = new Random(thread * 1_000_003L + i);
        byte[] body = new byte[random.nextInt(200)];
        random.nextBytes(body);
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + 8);
        b.putInt(thread).putInt(i).put(body);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        return b.putLong(crc.getValue()).array();
    }

    /** The numbers of the intact numbered frames {@code node} received, as "node:thread:i". */
    private static Set<String> numbers(Node node) {
        Set<String> out = new HashSet<>();
        node.listener().frames().forEach(decodeNumbered(node.id(), out::add));
        return out;
    }

    private static Consumer<RecordingListener.Frame> decodeNumbered(NodeId at, Consumer<String> sink) {
        return f -> {
            ByteBuffer b = ByteBuffer.wrap(f.bytes());
            CRC32 crc = new CRC32();
            crc.update(f.bytes(), 0, f.bytes().length - 8);
            assertThat(b.getLong(f.bytes().length - 8))
                    .as("CRC of a frame at " + at)
                    .isEqualTo(crc.getValue());
            sink.accept(at + ":" + b.getInt(0) + ":" + b.getInt(4));
        };
    }

    private static Set<String> digests(Node node) {
        return node.listener().frames().stream().map(f -> digest(f.bytes())).collect(Collectors.toSet());
    }

    private static String digest(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return bytes.length + ":" + Long.toHexString(crc.getValue());
    }
}
