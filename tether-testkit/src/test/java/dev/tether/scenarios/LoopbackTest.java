package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NoSuchHandlerException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node sending to itself and calling its own handlers (loopback streams, docs/MESSAGING.md "Sending to this node"):
 * real nodes on the in-memory transport and store, the same guarantees as towards a peer, with no peer involved.
 */
class LoopbackTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");

    @Test
    void messagesToItselfArriveInOrderAndTheNodeIsNoPeerOfItself() throws Exception {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start("a");
            List<SendReceipt> rs = new ArrayList<>();
            for (int i = 0; i < 500; i++) rs.add(a.send(A, "l", utf8("m" + i)));
            rs.add(a.send(A, utf8("last")));
            for (SendReceipt r : rs)
                assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);

            assertThat(c.payloads("a", "a", "l")).containsExactlyElementsOf(numbered("m", 0, 500));
            assertThat(c.payloads("a", "a", "default")).containsExactly("last");
            assertThat(c.seen("a")).noneMatch(Cluster.Seen::redelivery);
            assertThat(a.peers()).extracting(PeerInfo::id).doesNotContain(A);
            assertThat(a.stats().streams(A))
                    .filteredOn(s -> s.lane().equals("l"))
                    .extracting(StreamStats::direction, StreamStats::cursor)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(StreamStats.Direction.OUTBOUND, 500L),
                            org.assertj.core.groups.Tuple.tuple(StreamStats.Direction.INBOUND, 500L));
            assertThat(a.stats().queued()).isZero();
        }
    }

    @Test
    void aNodeCallsItsOwnHandlers() throws Exception {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start("a");
            a.handle(
                    "upper",
                    call -> new String(call.payloadBytes(), StandardCharsets.UTF_8)
                            .toUpperCase()
                            .getBytes(StandardCharsets.UTF_8));

            Reply r = a.call(A, "upper").request(utf8("hello")).get(30, TimeUnit.SECONDS);
            assertThat(new String(r.payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("HELLO");
            Reply v =
                    a.call(A, "upper").volatileDelivery().request(utf8("quick")).get(30, TimeUnit.SECONDS);
            assertThat(new String(v.payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("QUICK");
            assertThat(a.listHandlers(A, DEADLINE).get(30, TimeUnit.SECONDS)).contains("upper");
            try {
                a.call(A, "missing").request(utf8("x")).get(30, TimeUnit.SECONDS);
                throw new AssertionError("a call of a handler this node does not have succeeded");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NoSuchHandlerException.class);
            }
        }
    }

    @Test
    void aRestartDeliversWhatWasNotProcessedAgainFlaggedAsARedelivery() throws Exception {
        CountDownLatch never = new CountDownLatch(1); // the killed process's handler stays blocked until the end
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start(
                    "a",
                    b -> b.handler(d -> {
                        c.seen("a").add(Cluster.seen(d));
                        if (new String(d.payloadBytes(), StandardCharsets.UTF_8).equals("r5")) never.await();
                    }));
            List<SendReceipt> rs = new ArrayList<>();
            for (int i = 0; i < 10; i++) rs.add(a.send(A, "l", utf8("r" + i)));
            rs.get(4).processed().get(30, TimeUnit.SECONDS); // the trim up to r4 is stored
            rs.get(9).accepted().get(30, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> c.payloads("a", "a", "l").contains("r5"), () -> "r5 handed out");
            c.kill("a"); // r5 in its handler, r6..r9 stored and not processed
            c.seen("a").clear();

            c.start("a");
            Await.until(DEADLINE, () -> c.seen("a").size() >= 5, () -> "redelivered: " + c.seen("a"));
            assertThat(c.payloads("a", "a", "l")).containsExactly("r5", "r6", "r7", "r8", "r9");
            assertThat(c.seen("a")).allMatch(Cluster.Seen::redelivery);
            SendReceipt fresh = c.node("a").send(A, "l", utf8("r10"));
            assertThat(fresh.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("a", "a", "l")).endsWith("r9", "r10");
            assertThat(c.seen("a").get(c.seen("a").size() - 1).redelivery()).isFalse();
        } finally {
            never.countDown();
        }
    }
}
