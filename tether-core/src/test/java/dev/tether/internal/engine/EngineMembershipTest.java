package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.RetryPolicy;
import dev.tether.TetherEvent;
import dev.tether.UnknownPeerException;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Membership in the engine alone: round trips, last seen, resumption, removal, admitted and stored peers. */
class EngineMembershipTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static PeerInfo info(EngineHarness.Node n, NodeId peer) {
        return n.engine.peerInfos().stream()
                .filter(p -> p.id().equals(peer))
                .findFirst()
                .orElse(null);
    }

    private static long count(EngineHarness.Node n, Class<? extends TetherEvent> type) {
        return n.events.stream().filter(type::isInstance).count();
    }

    private static byte type(ByteBuffer frame) {
        return frame.get(frame.position() + 2);
    }

    @Test
    void pingMeasuresTheRoundTripWithTheTimeItIsGiven() {
        EngineHarness h = new EngineHarness("a", "b");
        assertThat(info(h.node("a"), B).roundTrip()).isNull();
        h.connect("a", "b"); // both ping at 1000
        h.now += 7; // every frame is handled 7 ms later
        h.run();
        PeerInfo b = info(h.node("a"), B);
        assertThat(b.connected()).isTrue();
        assertThat(b.origin()).isEqualTo(PeerInfo.Origin.CONFIGURED);
        assertThat(b.roundTrip()).isEqualTo(Duration.ofMillis(7));
        assertThat(b.lastSeen()).isEqualTo(Instant.ofEpochMilli(1007));
    }

    @Test
    void withTheOwnersMicrosecondClockTheRoundTripIsMeasuredToTheMicrosecond() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").input(e -> e.preciseTime(5_000));
        h.connect("a", "b"); // a's PING is stamped 5000 µs
        h.node("a").input(e -> e.preciseTime(5_250)); // its PONG is handled 250 µs later
        h.run();
        assertThat(info(h.node("a"), B).roundTrip()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(h.node("a").engine.counters().protocolErrors()).isZero();
    }

    @Test
    void connectedPeersArePingedEveryIntervalAndALatePongOfAnOlderPingIsIgnored() {
        EngineHarness h = new EngineHarness("a", "b");
        AtomicInteger pings = new AtomicInteger();
        AtomicBoolean holdPongs = new AtomicBoolean(true);
        h.filter = (from, to, f) -> {
            if (from.equals(A) && type(f) == Frame.PING) pings.incrementAndGet();
            return !(holdPongs.get() && from.equals(B) && type(f) == Frame.PONG);
        };
        h.connect("a", "b");
        h.run();
        assertThat(pings).hasValue(1);
        h.advance(PeerTable.PING_INTERVAL_MILLIS - 1);
        assertThat(pings).hasValue(1);
        h.advance(1);
        assertThat(pings).hasValue(2);
        assertThat(info(h.node("a"), B).roundTrip()).as("no PONG came back").isNull();

        // a PONG for the first PING, arriving after the second was sent, says nothing about the current round trip
        h.node("a").input(e -> e.onFrame(h.now, B, pong(1_000)));
        assertThat(info(h.node("a"), B).roundTrip()).isNull();
        assertThat(h.node("a").engine.counters().protocolErrors()).isZero();
        holdPongs.set(false);
        h.advance(PeerTable.PING_INTERVAL_MILLIS);
        assertThat(info(h.node("a"), B).roundTrip()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aPongEchoingAPingNeverSentIsCountedAsAProtocolError() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.run();
        h.node("a").input(e -> e.onFrame(h.now, B, pong(h.now + 60_000)));
        assertThat(h.node("a").engine.counters().protocolErrors()).isEqualTo(1);
        assertThat(h.node("a").events)
                .anySatisfy(ev -> assertThat(ev)
                        .isInstanceOfSatisfying(
                                TetherEvent.ProtocolError.class,
                                pe -> assertThat(pe.reason())
                                        .contains("PONG echoes timestamp 61000 but the latest PING sent was 1000")));
        assertThat(info(h.node("a"), B).roundTrip()).as("unchanged by the lie").isEqualTo(Duration.ZERO);
    }

    @Test
    void peerResumedComesOnceEveryStreamWithABacklogIsOpenAgain() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").send(B, "l1", "x");
        h.node("a").send(B, "l2", "y");
        h.run();
        AtomicBoolean dropAcks = new AtomicBoolean(true);
        h.filter = (from, to, f) -> !(dropAcks.get() && from.equals(B) && type(f) == Frame.ACK);
        h.connect("a", "b");
        h.run();
        assertThat(count(h.node("a"), TetherEvent.PeerConnected.class)).isEqualTo(1);
        assertThat(count(h.node("a"), TetherEvent.PeerResumed.class))
                .as("the OPENs are unanswered")
                .isZero();
        assertThat(count(h.node("b"), TetherEvent.PeerResumed.class))
                .as("b has no backlog for a: its HELLO suffices")
                .isEqualTo(1);

        dropAcks.set(false);
        h.advance(200); // the OPENs are retried
        assertThat(h.node("a").events).containsOnlyOnce(new TetherEvent.PeerResumed(B));
        assertThat(h.node("b").payloads()).containsExactlyInAnyOrder("x", "y");

        h.disconnect("a", "b");
        h.node("a").send(B, "l1", "during the cut");
        h.run();
        h.connect("a", "b");
        h.run();
        assertThat(count(h.node("a"), TetherEvent.PeerResumed.class))
                .as("once per connection")
                .isEqualTo(2);
        assertThat(h.node("b").payloads()).containsExactlyInAnyOrder("x", "y", "during the cut");
    }

    @Test
    void aLostHelloDelaysPeerResumedByAPingIntervalAtMost() {
        EngineHarness h = new EngineHarness("a", "b");
        AtomicBoolean lossy = new AtomicBoolean(true);
        h.filter = (from, to, f) -> !(lossy.get() && from.equals(B));
        h.connect("a", "b");
        h.run();
        lossy.set(false);
        assertThat(count(h.node("a"), TetherEvent.PeerResumed.class))
                .as("nothing heard from b")
                .isZero();
        h.advance(PeerTable.PING_INTERVAL_MILLIS);
        assertThat(h.node("a").events).containsOnlyOnce(new TetherEvent.PeerResumed(B));
    }

    @Test
    void aRemovedPeerIsRefusedAndIgnoredUntilAddedAgainAndItsBacklogThenFlows() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.run();
        h.filter = (from, to, f) -> false; // nothing reaches b: the message stays unacknowledged
        h.node("a").send(B, "l", "kept");
        h.run();
        PeerRemoval r = h.node("a").engine.removePeer(h.now, B);
        assertThat(r).isEqualTo(new PeerRemoval(B, true, true, 1, 1, 0));
        assertThat(h.node("a").events).contains(new TetherEvent.PeerDisconnected(B));
        assertThat(h.node("a").engine.connectedPeers()).isEmpty();
        assertThat(h.node("a").engine.peerInfos()).extracting(PeerInfo::id).doesNotContain(B);

        long refused = h.node("a").send(B, "l", "refused");
        assertThat(h.node("a").rejected.get(refused))
                .isInstanceOf(UnknownPeerException.class)
                .hasMessageContaining("was removed; addPeer(b) to send to it again");
        assertThat(h.node("a").engine.onPeerUp(h.now, B))
                .as("a removed peer's connection")
                .isFalse();
        h.node("a").input(e -> e.onFrame(h.now, B, pong(1)));
        assertThat(h.node("a").engine.counters().protocolErrors())
                .as("its frames are ignored")
                .isZero();

        h.filter = (from, to, f) -> true;
        h.node("a").engine.addPeer(B, List.of("10.0.0.2:7001"), true);
        PeerInfo b = info(h.node("a"), B);
        assertThat(b.origin()).isEqualTo(PeerInfo.Origin.CONFIGURED);
        assertThat(b.addresses()).containsExactly("10.0.0.2:7001");
        assertThat(b.unacknowledged()).isEqualTo(1);
        h.node("b").input(e -> e.onPeerDown(h.now, A));
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("kept");
        assertThat(info(h.node("a"), B).unacknowledged()).isZero();
    }

    @Test
    void anUnknownPeerTheTransportAdmittedBecomesKnownAsAdmitted() {
        Recorder out = new Recorder();
        Engine e = new Engine(config(A, Set.of()), new InMemoryStore().open(Durability.MEMORY), out);
        NodeId c = NodeId.of("c");
        assertThat(e.knows(c)).isFalse();
        assertThat(e.onPeerUp(1, c)).isTrue();
        assertThat(e.knows(c)).isTrue();
        assertThat(e.peerInfos()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(c);
            assertThat(p.origin()).isEqualTo(PeerInfo.Origin.ADMITTED);
            assertThat(p.connected()).isTrue();
        });
        assertThat(e.counters().protocolErrors()).isZero();
    }

    @Test
    void peersNamedByStoredStateAreKnownAfterARestart() {
        InMemoryStore store = new InMemoryStore();
        store.open(Durability.MEMORY);
        NodeId z = NodeId.of("z");
        NodeId y = NodeId.of("y");
        WriteBatch w = new WriteBatch();
        w.append(new dev.tether.spi.StoredMessage(z, "l", 1, 0, Map.of(), new byte[] {1}));
        w.peerEpoch(new WriteBatch.PeerEpoch(y, 77));
        store.commit(w);
        store = store.reopenAfterCrash();
        Engine e = new Engine(config(A, Set.of()), store.open(Durability.MEMORY), new Recorder());
        assertThat(e.knows(z)).isTrue();
        assertThat(e.knows(y)).isTrue();
        assertThat(e.peerInfos())
                .extracting(PeerInfo::id, PeerInfo::origin, PeerInfo::unacknowledged)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(y, PeerInfo.Origin.STORED, 0L),
                        org.assertj.core.groups.Tuple.tuple(z, PeerInfo.Origin.STORED, 1L));
    }

    @Test
    void aLostDiscoveredPeerIsForgottenOnlyWhenNothingElseKeepsItKnown() {
        Engine e = new Engine(config(A, Set.of()), new InMemoryStore().open(Durability.MEMORY), new Recorder());
        NodeId d = NodeId.of("d");
        NodeId s = NodeId.of("s");
        e.addPeer(d, List.of(), false);
        e.addPeer(s, List.of(), false);
        assertThat(e.peerInfos()).extracting(PeerInfo::origin).containsOnly(PeerInfo.Origin.DISCOVERED);
        e.send(1, 1, s, "l", Map.of(), new byte[1], 0);
        e.lostPeer(d);
        e.lostPeer(s);
        assertThat(e.knows(d)).isFalse();
        assertThat(e.knows(s)).as("a stream to it exists").isTrue();
        e.addPeer(d, List.of(), false);
        e.removePeer(1, d);
        e.addPeer(d, List.of(), false);
        assertThat(e.knows(d)).as("a removed peer is not rediscovered").isFalse();
    }

    private static ByteBuffer pong(long sentAt) {
        ByteBuffer b = ByteBuffer.allocate(64);
        FrameCodec.pong(b, sentAt);
        return b.flip();
    }

    private static EngineConfig config(NodeId self, Set<NodeId> peers) {
        return new EngineConfig(
                self,
                peers,
                8,
                4096,
                1000,
                100,
                1000,
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0),
                FailurePolicy.DEAD_LETTER,
                4);
    }

    /** Records nothing: these tests look at the engine's state. */
    private static final class Recorder implements EngineOutput {
        @Override
        public void transmit(NodeId peer, ByteBuffer frame) {}

        @Override
        public void flush() {}

        @Override
        public void persist(long batchId, long afterBatchId, WriteBatch batch) {}

        @Override
        public void load(StreamKey key, long fromSeq, int max) {}

        @Override
        public void accepted(long token, StreamKey key, long seq) {}

        @Override
        public void rejected(long token, dev.tether.TetherException error) {}

        @Override
        public void acked(StreamKey key, long upToSeq) {}

        @Override
        public void outcome(StreamKey key, long seq, dev.tether.Outcome outcome) {}

        @Override
        public void deliver(StreamKey key, long generation, List<InboundMessage> messages) {}

        @Override
        public void event(TetherEvent event) {}
    }
}
