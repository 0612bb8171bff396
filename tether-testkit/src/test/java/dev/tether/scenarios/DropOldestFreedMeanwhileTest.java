package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.OverflowPolicy;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.internal.engine.Frame;
import dev.tether.spi.Transport;
import dev.tether.testkit.Await;
import dev.tether.testkit.ForwardingTransport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * DROP_OLDEST drops only if the stream is still full when the node thread decides (docs/MESSAGING.md, "Backpressure",
 * DROP_OLDEST in detail: the node thread "drops the oldest untransmitted message if the stream is still full by the
 * engine's own count, or refuses the send"). The caller found the stream full and took room beyond the limit; the
 * acknowledgment that freed the room reached the node thread before the send did: the send goes out, nothing is
 * dropped or refused (audit8a M03: deciding "still full" at exactly the limit refused it, and survived every test).
 * Made deterministic by holding a's node thread in a listener while the acknowledgment and then the send queue up.
 */
class DropOldestFreedMeanwhileTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    /** Counts the ACK frames from b the node was handed (after handing them, so they are in its input). */
    private static final class AckTap extends ForwardingTransport {
        final AtomicLong acksFromB = new AtomicLong();

        AckTap(Transport inner) {
            super(inner);
        }

        @Override
        protected Listener listener(Listener listener) {
            return new ForwardingListener(listener) {
                @Override
                public void onFrame(NodeId from, ByteBuffer frame) {
                    boolean ack = from.equals(B) && frame.get(frame.position() + 2) == Frame.ACK;
                    delegate().onFrame(from, frame);
                    if (ack) acksFromB.incrementAndGet();
                }

                @Override
                public void onFrames(NodeId from, List<ByteBuffer> frames) {
                    long acks = from.equals(B)
                            ? frames.stream()
                                    .filter(f -> f.get(f.position() + 2) == Frame.ACK)
                                    .count()
                            : 0; // counted before the node, which owns the list now, may change it
                    delegate().onFrames(from, frames);
                    acksFromB.addAndGet(acks);
                }
            };
        }
    }

    @Test
    void anAcknowledgmentThatFreedTheRoomBeforeTheNodeThreadDecidedMeansNoDrop() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1), bGo = new CountDownLatch(1);
        CountDownLatch stalled = new CountDownLatch(1), aGo = new CountDownLatch(1);
        AtomicBoolean stallOnce = new AtomicBoolean(true);
        try (Cluster c = new Cluster("a", "b", "c")) {
            AckTap tap = new AckTap(c.network.newTransport());
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.transport(tap)
                            .streamLimits("b", "t", StreamLimits.maxMessages(1).policy(OverflowPolicy.DROP_OLDEST))
                            .streamLimits("c", "s", StreamLimits.maxMessages(1))
                            .listener(e -> {
                                c.events("a").add(e);
                                if (e instanceof TetherEvent.Overflow && stallOnce.getAndSet(false)) {
                                    stalled.countDown(); // a's node thread waits here
                                    await(aGo);
                                }
                            }));
            c.start(
                    "b",
                    cfg -> cfg.handler(d -> {
                        inHandler.countDown();
                        await(bGo); // holds m1 unacknowledged
                    }));
            SendReceipt m1 = a.send(B, "t", utf8("m1"));
            assertThat(inHandler.await(30, TimeUnit.SECONDS)).as("b has m1").isTrue();

            a.send(C, "s", utf8("s1")); // c never runs: s stays full
            assertThatThrownBy(() -> a.send(C, "s", utf8("s2"))).isInstanceOf(QueueFullException.class);
            assertThat(stalled.await(30, TimeUnit.SECONDS))
                    .as("a's node thread held by the overflow report")
                    .isTrue();
            long acksBefore = tap.acksFromB.get(); // a sends nothing now: b's next ACK is m1's
            bGo.countDown(); // b acknowledges m1: the ACK waits in a's input
            Await.until(DEADLINE, () -> tap.acksFromB.get() > acksBefore, () -> "b's ACK of m1 handed to a");
            SendReceipt m2 = a.send(B, "t", utf8("m2")); // t looks full still (1 of 1): room beyond the limit
            aGo.countDown(); // the ACK runs, then m2's submission

            assertThat(m1.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(m2.processed().get(30, TimeUnit.SECONDS))
                    .as("m2 sent: the room was freed before the node thread decided")
                    .isEqualTo(Outcome.PROCESSED);
            StreamStats t = a.stats().streams().stream()
                    .filter(s -> s.direction() == StreamStats.Direction.OUTBOUND
                            && s.lane().equals("t"))
                    .findFirst()
                    .orElseThrow();
            assertThat(t.dropped()).as("nothing dropped").isZero();
            assertThat(t.rejected()).as("nothing refused").isZero();
        }
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
