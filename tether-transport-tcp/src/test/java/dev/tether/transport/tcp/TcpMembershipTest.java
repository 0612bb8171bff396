package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Discovery;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic membership between real nodes over TCP on loopback: admission on TLS certificates and pre-shared keys,
 * the allow-list, plain TCP refusing unknown ids, seeds and member lists, addPeer/removePeer, and a dynamically
 * admitted peer's backlog across a restart of the sender with a real SQLite store.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpMembershipTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final byte[] KEY = "membership-test-cluster-key".getBytes(StandardCharsets.US_ASCII);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static {
        System.out.println("TcpMembershipTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @TempDir
    static Path pki;

    @TempDir
    Path dir;

    private static TestPki ca;
    private final Random seeds = new Random(SEED);
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final Map<NodeId, TcpTransport> transports = new ConcurrentHashMap<>();
    private final Map<NodeId, List<TetherEvent>> events = new ConcurrentHashMap<>();
    private final Map<NodeId, List<String>> received = new ConcurrentHashMap<>();

    @BeforeAll
    static void createPki() {
        ca = new TestPki(pki, "membership");
    }

    @AfterEach
    void closeAll() {
        nodes.forEach(TetherNode::close);
    }

    // ---- admission

    @Test
    void tlsAdmitsAnUnconfiguredPeerWhoseCertificateProvesItsId() {
        TetherNode a = start("a", t -> t.tls(ca.issue("a").pemTls()), (c, t) -> {});
        TetherNode b = start("b", t -> t.tls(ca.issue("b").pemTls()).peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, B);
        assertThat(info(a, B).origin()).isEqualTo(PeerInfo.Origin.ADMITTED);
        a.send(B, utf8("a to b")).processed().join();
        b.send(A, utf8("b to a")).processed().join();
        assertThat(received(B)).containsExactly("a to b");
        assertThat(received(A)).containsExactly("b to a");
        assertThat(a.stats().connectionsRejected()).isZero();
    }

    @Test
    void tlsAllowListRefusesAnIdOutsideItAndAdmitsOneInside() {
        TetherNode a = start("a", t -> t.tls(ca.issue("a").pemTls()), (c, t) -> c.allowedPeers("w-*"));
        start("b", t -> t.tls(ca.issue("b").pemTls()).peer(A, address(A)), (c, t) -> c.peers(A));
        start("w-1", t -> t.tls(ca.issue("w-1").pemTls()).peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, NodeId.of("w-1"));
        awaitRejected(A, "b is not a configured or added peer of a and matches none of its allowedPeers [w-*]");
        awaitRejected(B, "refused by the peer: b is not a configured or added peer of a and matches none");
        assertThat(a.stats().connectedPeers()).containsExactly(NodeId.of("w-1"));
        assertThatThrownBy(() -> a.send(B, utf8("x"))).isInstanceOf(UnknownPeerException.class);
    }

    /**
     * docs/TCP.md, "TLS and identity": without client certificates ({@code mutual(false)}, CLI
     * {@code --tls-no-client-auth}) the client's id is taken on its word, so it is admitted only as a plain TCP peer
     * would be: refused while neither configured nor added, admitted once added.
     */
    @Test
    void tlsWithoutClientCertificatesAdmitsOnlyConfiguredOrAddedPeers() {
        TetherNode a = start("a", t -> t.tls(ca.issue("a").pemTls().mutual(false)), (c, t) -> {});
        start("x", t -> t.tls(ca.issue("x").pemTls()).peer(A, address(A)), (c, t) -> c.peers(A));
        awaitRejected(A, "x is not a configured or added peer of a, and nothing proved its identity");
        assertThat(a.stats().connectedPeers()).isEmpty();

        NodeId x = NodeId.of("x");
        a.addPeer(x);
        awaitResumed(a, x);
        a.send(x, utf8("now added")).processed().join();
        assertThat(received(x)).containsExactly("now added");
    }

    @Test
    void preSharedKeyAdmitsAnUnconfiguredPeerAndTheAllowListStillApplies() {
        TetherNode a = start("a", t -> t.preSharedKey(KEY), (c, t) -> c.allowedPeers("b", "c"));
        TetherNode b = start("b", t -> t.preSharedKey(KEY).peer(A, address(A)), (c, t) -> c.peers(A));
        start("d", t -> t.preSharedKey(KEY).peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, B);
        awaitRejected(A, "d is not a configured or added peer of a and matches none of its allowedPeers [b, c]");
        a.send(B, utf8("over psk")).processed().join();
        assertThat(received(B)).containsExactly("over psk");
        assertThat(b.peers()).extracting(PeerInfo::id).containsExactly(A);
    }

    @Test
    void plainTcpRefusesUnknownIdsUntilTheyAreAddedOrUnprovenPeersAreAdmittedOnPurpose() {
        TetherNode a = start("a", t -> t, (c, t) -> {});
        start("b", t -> t.peer(A, address(A)), (c, t) -> c.peers(A));
        awaitRejected(A, "b is not a configured or added peer of a, and nothing proved its identity (plain TCP)");
        awaitRejected(B, "refused by the peer: b is not a configured or added peer of a");
        assertThat(a.stats().connectedPeers()).isEmpty();

        a.addPeer(B);
        awaitResumed(a, B);
        a.send(B, utf8("now added")).processed().join();

        TetherNode dev = start("dev", t -> t, (c, t) -> c.insecureAdmitUnprovenPeers(true));
        start("e", t -> t.peer(NodeId.of("dev"), address(NodeId.of("dev"))), (c, t) -> c.peers(NodeId.of("dev")));
        awaitResumed(dev, NodeId.of("e"));
        assertThat(dev.stats().connectionsRejected()).isZero();
    }

    // ---- seeds and member lists

    @Test
    void nodesGivenOneSeedLearnTheOthersAndExchangeMessagesWithAll() {
        InetSocketAddress at = freeAddress("s");
        TetherNode seed =
                start("s", t -> t.preSharedKey(KEY).listen(at).seed(at), (c, t) -> c.discovery(t.discovery()));
        List<String> ids = List.of("n1", "n2", "n3", "n4");
        for (String id : ids) {
            // every node gets the same seed list, the seed itself included
            start(id, t -> t.preSharedKey(KEY).seed(at), (c, t) -> c.discovery(t.discovery()));
        }
        List<String> all = new ArrayList<>(ids);
        all.add("s");
        for (String id : all) {
            TetherNode n = node(id);
            Await.until(
                    DEADLINE,
                    () -> n.stats().connectedPeers().size() == all.size() - 1,
                    () -> id + " connected to all: " + n.peers());
        }
        for (String from : all) {
            for (String to : all) {
                if (!from.equals(to)) node(from).send(NodeId.of(to), utf8(from + ">" + to));
            }
        }
        for (String to : all) {
            Await.until(
                    DEADLINE,
                    () -> received(NodeId.of(to)).size() == all.size() - 1,
                    () -> to + " received from all: " + received(NodeId.of(to)));
        }
        TetherNode n4 = node("n4");
        assertThat(n4.peers()).filteredOn(p -> p.id().value().startsWith("n")).allSatisfy(p -> {
            assertThat(p.origin()).isIn(PeerInfo.Origin.DISCOVERED, PeerInfo.Origin.ADMITTED);
            assertThat(p.addresses()).isNotEmpty();
        });
        for (String id : all)
            assertThat(node(id).stats().protocolErrors()).as(id).isZero();
        assertThat(seed.stats().connectionsRejected()).isZero();
    }

    /** A discovery that records what {@code inner} reports: "discovered ID" and "lost ID". */
    private static Discovery recording(Discovery inner, List<String> log) {
        return new Discovery() {
            @Override
            public void start(NodeId self, Listener listener) {
                inner.start(self, new Listener() {
                    @Override
                    public void onDiscovered(NodeId member, List<String> addresses) {
                        log.add("discovered " + member);
                        listener.onDiscovered(member, addresses);
                    }

                    @Override
                    public void onLost(NodeId member) {
                        log.add("lost " + member);
                        listener.onLost(member);
                    }

                    @Override
                    public void onInvalid(NodeId source, String reason) {
                        listener.onInvalid(source, reason);
                    }
                });
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    @Test
    void aMemberThatStaysUnconnectedIsReportedLostAndDiscoveredAgainWhenItReturns() {
        InetSocketAddress at = freeAddress("s");
        start("s", t -> t.preSharedKey(KEY).listen(at).seed(at), (c, t) -> c.discovery(t.discovery()));
        List<String> log = new CopyOnWriteArrayList<>();
        TetherNode n1 = start(
                "n1",
                t -> t.preSharedKey(KEY).seed(at).memberLostAfter(Duration.ofMillis(300)),
                (c, t) -> c.discovery(recording(t.discovery(), log)));
        NodeId n2 = NodeId.of("n2");
        TetherNode first = start("n2", t -> t.preSharedKey(KEY).seed(at), (c, t) -> c.discovery(t.discovery()));
        Await.until(DEADLINE, () -> n1.stats().connectedPeers().contains(n2), () -> "n1 reached n2: " + log);
        assertThat(log).contains("discovered n2");
        int connectedAt = log.size(); // (under heavy load, a slow first dial may have been reported lost before)
        first.close();
        Await.until(
                DEADLINE,
                () -> log.subList(connectedAt, log.size()).contains("lost n2"),
                () -> "n2 reported lost: " + log);
        start("n2", t -> t.preSharedKey(KEY).seed(at), (c, t) -> c.discovery(t.discovery())); // on a new port
        Await.until(
                DEADLINE,
                () -> log.lastIndexOf("discovered n2") > log.lastIndexOf("lost n2"),
                () -> "n2 discovered again: " + log);
        Await.until(DEADLINE, () -> n1.stats().connectedPeers().contains(n2), () -> "n1 reached n2 again");
        assertThat(n1.stats().protocolErrors()).isZero();
    }

    @Test
    void everyNodeMayGetTheSameSeedListIncludingItself() {
        InetSocketAddress p1 = freeAddress("s1");
        InetSocketAddress p2 = freeAddress("s2");
        List<InetSocketAddress> shared = List.of(p1, p2);
        TetherNode s1 =
                start("s1", t -> t.preSharedKey(KEY).listen(p1).seeds(shared), (c, t) -> c.discovery(t.discovery()));
        TetherNode s2 =
                start("s2", t -> t.preSharedKey(KEY).listen(p2).seeds(shared), (c, t) -> c.discovery(t.discovery()));
        TetherNode n3 = start("n3", t -> t.preSharedKey(KEY).seeds(shared), (c, t) -> c.discovery(t.discovery()));
        for (TetherNode n : List.of(s1, s2, n3)) {
            Await.until(
                    DEADLINE,
                    () -> n.stats().connectedPeers().size() == 2,
                    () -> n.id() + " connected to the other two: " + n.peers());
            assertThat(n.peers()).extracting(PeerInfo::id).doesNotContain(n.id());
        }
        for (TetherNode n : List.of(s1, s2, n3)) {
            assertThat(n.stats().connectionsRejected())
                    .as(n.id() + " rejections: " + events.get(n.id()))
                    .isZero();
            assertThat(n.stats().protocolErrors())
                    .as(n.id() + " protocol errors")
                    .isZero();
        }
    }

    @Test
    void seedsOverPlainTcpAreRefusedUnlessUnprovenPeersAreAdmittedOnPurpose() {
        TetherNode a = start("a", t -> t, (c, t) -> c.discovery(t.discovery()));
        TetherNode b = start("b", t -> t.seed(address(A)), (c, t) -> c.discovery(t.discovery()));
        awaitRejected(B, "a is not a configured or added peer of b, and nothing proved its identity");
        assertThat(b.stats().connectedPeers()).isEmpty();
        assertThat(a.stats().connectedPeers()).isEmpty();

        TetherNode c = start(
                "c",
                t -> t.seed(address(A)),
                (cfg, t) -> cfg.discovery(t.discovery()).insecureAdmitUnprovenPeers(true));
        a.addPeer(NodeId.of("c"));
        awaitResumed(c, A);
    }

    // ---- addPeer and removePeer

    @Test
    void addPeerWithAnAddressDialsItAndRemovePeerClosesItKeepsItsBacklogAndRefusesIt() {
        TetherNode a = start("a", t -> t, (c, t) -> {});
        // b knows a and where it is; a refuses b (plain TCP proves nothing) until it adds b, with b's address
        TetherNode b = start("b", t -> t.peer(A, address(A)), (c, t) -> c.peers(A));
        awaitRejected(A, "b is not a configured or added peer of a, and nothing proved its identity");
        a.addPeer(B, List.of(format(address(B))));
        awaitResumed(a, B);
        assertThat(info(a, B).addresses()).containsExactly(format(address(B)));
        a.send(B, utf8("first")).processed().join();

        a.removePeer(B);
        Await.until(DEADLINE, () -> !b.stats().connectedPeers().contains(A), () -> "b sees a go");
        b.send(A, utf8("while removed")).accepted().join();
        // b keeps redialing a (a is configured there): a refuses it each time, and says so
        awaitRejected(A, "b was removed from a (removePeer); addPeer(b) admits it again");
        assertThat(received(A)).isEmpty();

        a.addPeer(B);
        Await.until(DEADLINE, () -> received(A).contains("while removed"), () -> "b's backlog at a");
        assertThatThrownBy(() -> a.addPeer(NodeId.of("x"), List.of("not-an-address")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid TCP address 'not-an-address'");
        assertThatThrownBy(() -> a.send(NodeId.of("x"), utf8("no"))).isInstanceOf(UnknownPeerException.class);
    }

    @Test
    void aPeerAddedByHostNameIsKeptByNameLikeAConfiguredOneAndResolvedAtEachDial() {
        TetherNode a = start("a", t -> t, (c, t) -> {});
        // .invalid never resolves (RFC 6761): the name is kept, not refused, as it is for a peer given at start
        a.addPeer(NodeId.of("y"), List.of("no-such-host.invalid:7001"));
        assertThat(info(a, NodeId.of("y")).addresses()).containsExactly("no-such-host.invalid:7001");
        a.send(NodeId.of("y"), utf8("waits for y")).accepted().join();
    }

    @Test
    void aBogusMemberListIsCountedAsAProtocolErrorAndTheNodeKeepsServing() throws Exception {
        NodeId x = NodeId.of("x");
        TetherNode a = start("a", t -> t, (c, t) -> c.peers(B, x).discovery(t.discovery()));
        start("b", t -> t.peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, B);
        try (RawClient raw = new RawClient(address(A))) {
            raw.write(RawClient.dialerHello("x", 1 << 20)).completeHandshake();
            // x advertises itself as y: the whole list is dropped, the connection stays
            raw.write(membersRecord("y", "127.0.0.1:7001", "z", "127.0.0.1:7002"));
            Await.until(
                    DEADLINE,
                    () -> events.get(A).stream()
                            .anyMatch(e -> e instanceof TetherEvent.ProtocolError p
                                    && p.peer().equals(x)
                                    && p.reason()
                                            .equals("membership: peer x advertised itself as y; member list dropped")),
                    () -> "the bogus list reported: " + events.get(A));
        }
        assertThat(a.stats().protocolErrors()).isEqualTo(1);
        assertThat(transports.get(A).invalidMemberInput()).isEqualTo(1);
        assertThat(a.peers()).extracting(PeerInfo::id).doesNotContain(NodeId.of("z"), NodeId.of("y"));
        a.send(B, utf8("still serving")).processed().join();
    }

    /** A MEMBERS control record: the sender's own entry, then one member. */
    private static byte[] membersRecord(String self, String selfAt, String member, String memberAt) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(dev.tether.transport.tcp.internal.Wire.CONTROL_MEMBERS);
        for (String[] e : new String[][] {{self, selfAt}, null, {member, memberAt}}) {
            if (e == null) {
                body.write(0);
                body.write(1);
                continue;
            }
            body.write(e[0].length());
            body.writeBytes(e[0].getBytes(StandardCharsets.US_ASCII));
            body.write(1);
            body.write(e[1].length());
            body.writeBytes(e[1].getBytes(StandardCharsets.US_ASCII));
        }
        byte[] b = body.toByteArray();
        return java.nio.ByteBuffer.allocate(8 + b.length)
                .putInt(dev.tether.transport.tcp.internal.Wire.CONTROL)
                .putInt(b.length)
                .put(b)
                .array();
    }

    @Test
    void roundTripIsMeasuredOverTcp() {
        TetherNode a = start("a", t -> t, (c, t) -> c.peers(B));
        start("b", t -> t.peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, B);
        Await.until(DEADLINE, () -> info(a, B).roundTrip() != null, () -> "a round trip: " + a.peers());
        assertThat(info(a, B).roundTrip()).isLessThan(Duration.ofSeconds(5));
        // measured to the microsecond: a loopback round trip well under a millisecond is not rounded to zero
        assertThat(info(a, B).roundTrip()).isPositive();
        assertThat(info(a, B).lastSeen()).isNotNull();
        assertThat(info(a, B).connected()).isTrue();
    }

    // ---- a dynamically admitted peer's backlog

    @Test
    void aDynamicallyAdmittedPeersBacklogSurvivesARestartOfTheSenderWithSqlite() {
        Path aStore = dir.resolve("a.db");
        TetherNode a = start(
                "a",
                t -> t.preSharedKey(KEY),
                (c, t) -> c.store(new SqliteStore(aStore)).durability(Durability.FSYNC));
        TetherNode b = start("b", t -> t.preSharedKey(KEY).peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, B);
        assertThat(info(a, B).origin()).isEqualTo(PeerInfo.Origin.ADMITTED);
        b.close();
        nodes.remove(b);
        for (int i = 0; i < 100; i++) a.send(B, utf8("m" + i)).accepted().join();
        a.shutdown(Duration.ZERO);
        nodes.remove(a);

        // a restarts knowing nobody by configuration: its store names b
        InetSocketAddress aAt = address(A);
        TetherNode a2 = start(
                "a",
                t -> t.preSharedKey(KEY).listen(aAt),
                (c, t) -> c.store(new SqliteStore(aStore)).durability(Durability.FSYNC));
        assertThat(info(a2, B).origin()).isEqualTo(PeerInfo.Origin.STORED);
        assertThat(info(a2, B).unacknowledged()).isEqualTo(100);
        a2.send(B, utf8("m100")).accepted().join();
        start("b", t -> t.preSharedKey(KEY).peer(A, aAt), (c, t) -> c.peers(A));
        Await.until(
                DEADLINE,
                () -> received(B).size() >= 101,
                () -> "b's backlog: " + received(B).size());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 100; i++) expected.add("m" + i);
        assertThat(received(B)).containsExactlyElementsOf(expected);
    }

    @Test
    void overPlainTcpAPeerWithStoredStateIsAdmittedAfterARestartWithoutTheInsecureSetting() {
        InMemoryStore store = new InMemoryStore();
        TetherNode a = start("a", t -> t, (c, t) -> c.store(store).insecureAdmitUnprovenPeers(true));
        TetherNode b = start("b", t -> t.peer(A, address(A)), (c, t) -> c.peers(A));
        awaitResumed(a, B);
        b.close();
        nodes.remove(b);
        a.send(B, utf8("kept")).accepted().join();
        a.close();
        nodes.remove(a);
        InetSocketAddress aAt = address(A);
        TetherNode a2 = start("a", t -> t.listen(aAt), (c, t) -> c.store(store.reopenAfterCrash()));
        start("b", t -> t.peer(A, aAt), (c, t) -> c.peers(A));
        awaitResumed(a2, B);
        Await.until(DEADLINE, () -> received(B).contains("kept"), () -> "kept at b");
        start("z", t -> t.peer(A, aAt), (c, t) -> c.peers(A));
        awaitRejected(A, "z is not a configured or added peer of a, and nothing proved its identity");
    }

    // ---- helpers

    private TetherNode start(
            String name,
            UnaryOperator<TcpTransport.Builder> transport,
            BiConsumer<TetherConfig.Builder, TcpTransport> config) {
        NodeId id = NodeId.of(name);
        TcpTransport t = transport
                .apply(TcpTransport.builder()
                        .reconnect(Duration.ofMillis(10), Duration.ofMillis(200))
                        .random(new Random(seeds.nextLong())))
                .build();
        List<String> got = received.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        TetherConfig.Builder b = TetherConfig.builder(id)
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .retransmitTimeout(Duration.ofMillis(50), Duration.ofMillis(500))
                .handler(d -> got.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                .listener(events.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())::add);
        config.accept(b, t);
        TetherNode n = Tether.start(b.build());
        nodes.add(n);
        transports.put(id, t);
        return n;
    }

    private TetherNode node(String id) {
        for (TetherNode n : nodes) {
            if (n.id().value().equals(id)) return n;
        }
        throw new AssertionError("no node " + id);
    }

    private InetSocketAddress address(NodeId id) {
        return transports.get(id).boundAddress();
    }

    /** A loopback address with a port that was free a moment ago, to listen on (below the ephemeral range). */
    private static InetSocketAddress freeAddress(String what) {
        return new InetSocketAddress("127.0.0.1", dev.tether.fixtures.FreePorts.loopback());
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private List<String> received(NodeId id) {
        return received.getOrDefault(id, List.of());
    }

    private static PeerInfo info(TetherNode n, NodeId peer) {
        return n.peers().stream().filter(p -> p.id().equals(peer)).findFirst().orElse(null);
    }

    private void awaitResumed(TetherNode n, NodeId peer) {
        Await.until(
                DEADLINE,
                () -> events.get(n.id()).contains(new TetherEvent.PeerResumed(peer)),
                () -> peer + " resumed at " + n.id() + "; events: " + events.get(n.id()));
    }

    private void awaitRejected(NodeId at, String reasonPart) {
        Await.until(
                DEADLINE,
                () -> events.get(at).stream()
                        .anyMatch(e -> e instanceof TetherEvent.ConnectionRejected r
                                && r.reason().contains(reasonPart)),
                () -> at + " to report '" + reasonPart + "'; events: " + events.get(at));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
