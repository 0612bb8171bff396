package dev.tether.transport.nats;

import static dev.tether.transport.nats.NatsNodes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.fixtures.KeytoolPki;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.spi.PeerProof;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.nats.NatsAuthorization.NodeUser;
import dev.tether.transport.nats.NatsTransportContractTest.NatsTransports;
import dev.tether.transport.nats.internal.Envelope;
import dev.tether.transport.nats.internal.NkeyFiles;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * NATS identity enforced by a real nats-server: TLS with a CA made by keytool, the authorization block of {@link
 * NatsAuthorization} with one nkey user per node (alice, bob, mallory), and transports that declare it
 * ({@code identityEnforced}). Honest nodes exchange messages and admit each other on proof IDENTITY; mallory,
 * with her own key, can neither announce nor send as bob (the server refuses, her transport reports it) nor slip a
 * frame claiming bob into alice's inbox on her own subject (alice's transport drops it, counts and reports it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NatsIdentityTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String PREFIX = "ident";
    private static final NodeId ALICE = NodeId.of("alice");
    private static final NodeId BOB = NodeId.of("bob");
    private static final NodeId MALLORY = NodeId.of("mallory");

    @TempDir
    static Path dir;

    private static KeytoolPki pki;
    private static NatsServerProcess server;
    private static final Map<NodeId, Path> SEEDS = new ConcurrentHashMap<>();
    private static final Map<NodeId, String> PUBLIC_KEYS = new ConcurrentHashMap<>();

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        pki = new KeytoolPki(dir);
        List<NodeUser> users = new ArrayList<>();
        for (NodeId id : List.of(ALICE, BOB, MALLORY)) {
            Path seed = dir.resolve(id + ".nk");
            NodeUser user = NatsAuthorization.createSeedFile(id, seed);
            SEEDS.put(id, seed);
            PUBLIC_KEYS.put(id, user.publicKey());
            users.add(user);
        }
        server = NatsServerProcess.builder()
                .tls(pki.serverChain(), pki.serverKey())
                .config(NatsAuthorization.authorizationBlock(PREFIX, users))
                .start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) c.close();
    }

    @Test
    void nodesWithTheirOwnKeysExchangeMessagesOverTlsAndAdmitEachOtherOnIdentity() {
        assertThat(server.url()).startsWith("tls://");
        NatsNodes nodes = new NatsNodes(PREFIX, "alice", "bob");
        closeables.add(nodes);
        TetherNode alice = nodes.transports(as(ALICE)).start("alice", List.of(server.url()));
        TetherNode bob = nodes.transports(as(BOB)).start("bob", List.of(server.url()));
        Await.until(DEADLINE, () -> nodes.connected("alice", "bob"), () -> "alice and bob connected");

        for (int i = 0; i < 100; i++) {
            alice.send(BOB, utf8("ab" + i));
            bob.send(ALICE, utf8("ba" + i));
        }
        Await.until(
                DEADLINE,
                () -> nodes.seen("alice").size() == 100 && nodes.seen("bob").size() == 100,
                () -> "delivered " + nodes.seen("alice").size() + " / "
                        + nodes.seen("bob").size());
        assertThat(nodes.payloads("bob", "alice", "default"))
                .containsExactlyElementsOf(NatsNodes.numbered("ab", 0, 100));
        for (String n : List.of("alice", "bob")) {
            NatsTransport t = nodes.transport(n);
            assertThat(t.connectedServer()).get().asString().startsWith("tls://");
            assertThat(t.peerProof()).as(n).isEqualTo(PeerProof.IDENTITY);
            assertThat(t.identityChecksFailed()).as(n).isZero();
            assertThat(t.permissionViolations()).as(n).isZero();
            assertThat(t.rejectedMessages()).as(n).isZero();
        }
        assertThat(alice.stats().connectionsRejected()).isZero();
        assertThat(serverLog())
                .as("the identity check of each node was refused by the server")
                .contains("Publish Violation - Nkey \"" + PUBLIC_KEYS.get(ALICE) + "\", Subject \"ident.to._check")
                .contains("Publish Violation - Nkey \"" + PUBLIC_KEYS.get(BOB) + "\", Subject \"ident.presence._check");
    }

    @Test
    void afterTheServerIsKilledAndRestartedTheCheckRunsAgainAndPeersComeBackOnIdentity() {
        RecordingListener atAlice = new RecordingListener("alice", 1 << 16);
        RecordingListener atBob = new RecordingListener("bob", 1 << 16);
        NatsTransport alice = transport(ALICE, SEEDS.get(ALICE), atAlice);
        NatsTransport bob = transport(BOB, SEEDS.get(BOB), atBob);
        awaitUp(atAlice, BOB);
        awaitUp(atBob, ALICE);

        server.kill();
        Await.until(DEADLINE, () -> !atAlice.isUp(BOB) && !atBob.isUp(ALICE), () -> "both down");
        server.restart();
        Await.until(
                DEADLINE,
                () -> atAlice.ups(BOB) == 2 && atBob.ups(ALICE) == 2,
                () -> "up again: " + atAlice.history(BOB) + " / " + atBob.history(ALICE));

        for (NatsTransport t : List.of(alice, bob)) {
            assertThat(t.sessions()).isEqualTo(2);
            assertThat(t.peerProof())
                    .as(atAlice.rejections() + " / " + atBob.rejections())
                    .isEqualTo(PeerProof.IDENTITY);
            assertThat(t.identityChecksFailed()).isZero();
            assertThat(t.permissionViolations()).isZero();
        }
        assertThat(atAlice.lastProof(BOB)).isEqualTo(PeerProof.IDENTITY);
        assertThat(bob.send(ALICE, ByteBuffer.wrap(new byte[] {7}))).isTrue();
        Await.until(DEADLINE, () -> atAlice.frames().size() == 1, () -> "bob's frame after the restart");
    }

    @Test
    void aClientClaimingAnotherNodesIdIsRefusedByTheServerAndReportsIt() {
        RecordingListener atAlice = new RecordingListener("alice", 1 << 16);
        RecordingListener atBob = new RecordingListener("bob", 1 << 16);
        NatsTransport alice = transport(ALICE, SEEDS.get(ALICE), atAlice);
        NatsTransport bob = transport(BOB, SEEDS.get(BOB), atBob);
        awaitUp(atAlice, BOB);
        awaitUp(atBob, ALICE);

        RecordingListener atImpostor = new RecordingListener("impostor", 1 << 16);
        NatsTransport impostor = transport(BOB, SEEDS.get(MALLORY), atImpostor); // "bob" with mallory's key
        Await.until(
                DEADLINE,
                () -> impostor.permissionViolations() >= 5,
                () -> "the impostor's refusals: " + atImpostor.rejections());
        assertThat(atImpostor.rejections())
                .extracting(RecordingListener.Rejection::reason)
                .anySatisfy(r -> assertThat(r)
                        .startsWith("the NATS server refused node bob publishing on"
                                + " ident.presence.bob: its credentials do not grant this node's subjects"))
                .anySatisfy(r -> assertThat(r)
                        .startsWith("the NATS server refused node bob subscribing to" + " ident.to.bob.*"));
        assertThat(atImpostor.rejections())
                .as("refusals by the server, and the real bob's announcements")
                .allSatisfy(r -> assertThat(r.remote()).isIn("nats server " + server.url(), "nats node bob"));
        assertThat(atImpostor.rejections())
                .filteredOn(r -> r.remote().startsWith("nats server"))
                .hasSizeGreaterThanOrEqualTo(5);
        assertThat(serverLog())
                .contains("Publish Violation - Nkey \"" + PUBLIC_KEYS.get(MALLORY)
                        + "\", Subject \"ident.presence.bob\"");

        // alice never heard the impostor: bob's link went on undisturbed and carries frames
        assertThat(atAlice.history(BOB)).containsExactly("up");
        assertThat(atAlice.rejections()).isEmpty();
        assertThat(alice.rejectedMessages()).isZero();
        assertThat(bob.send(ALICE, ByteBuffer.wrap(new byte[] {42}))).isTrue();
        Await.until(DEADLINE, () -> atAlice.frames().size() == 1, () -> "bob's frame after the impostor");
        assertThat(atAlice.frames().get(0).from()).isEqualTo(BOB);
    }

    @Test
    void aFrameClaimingAnotherSenderOnTheSendersOwnSubjectIsDroppedCountedAndReported() throws Exception {
        RecordingListener atAlice = new RecordingListener("alice", 1 << 16);
        RecordingListener atBob = new RecordingListener("bob", 1 << 16);
        NatsTransport alice = transport(ALICE, SEEDS.get(ALICE), atAlice);
        NatsTransport bob = transport(BOB, SEEDS.get(BOB), atBob);
        awaitUp(atAlice, BOB);

        // mallory, a raw client with her own key, may read presence: she learns bob's session and forges with it
        List<String> refused = new CopyOnWriteArrayList<>();
        AtomicLong bobsSession = new AtomicLong();
        Connection mallory = Nats.connect(Options.builder()
                .server(server.url())
                .sslContext(pki.clientContext())
                .authHandler(NkeyFiles.authHandler(SEEDS.get(MALLORY)))
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection c, String error) {
                        refused.add(error);
                    }
                })
                .build());
        closeables.add(mallory::close);
        mallory.createDispatcher(m -> {
                    if (m.getSubject().equals("ident.presence.bob")) {
                        bobsSession.set(ByteBuffer.wrap(m.getData(), 5 + 3, 8).getLong());
                    }
                })
                .subscribe("ident.presence.*");
        Await.until(DEADLINE, () -> bobsSession.get() != 0, () -> "mallory hears bob announce");
        long session = bobsSession.get();

        // on her own subjects, which the server allows: alice's transport drops all three
        mallory.publish("ident.to.alice.mallory", Envelope.frame(BOB, session, 1, 2, ByteBuffer.wrap(new byte[] {6})));
        mallory.publish("ident.to.alice.mallory", Envelope.control(Envelope.Kind.HELLO, BOB, session, 3, 0));
        mallory.publish("ident.presence.mallory", Envelope.control(Envelope.Kind.GOODBYE, BOB, session, 0, 0));
        // on bob's subjects: the server refuses
        mallory.publish("ident.presence.bob", Envelope.control(Envelope.Kind.GOODBYE, BOB, session, 0, 0));
        mallory.publish("ident.to.alice.bob", Envelope.control(Envelope.Kind.HELLO, BOB, session, 3, 0));
        mallory.flush(DEADLINE);

        Await.until(DEADLINE, () -> alice.rejectedMessages() == 3, () -> "alice's rejections: " + atAlice.rejections());
        assertThat(atAlice.rejections())
                .extracting(RecordingListener.Rejection::reason)
                .allSatisfy(r -> assertThat(r)
                        .startsWith("sender mismatch: the envelope claims bob but the subject is" + " mallory's"));
        Await.until(DEADLINE, () -> refused.size() == 2, () -> "mallory's refusals: " + refused);
        assertThat(refused)
                .containsExactly(
                        "Permissions Violation for Publish to \"ident.presence.bob\"",
                        "Permissions Violation for Publish to \"ident.to.alice.bob\"");

        assertThat(atAlice.history(BOB))
                .as("bob's link survived the forged goodbyes")
                .containsExactly("up");
        assertThat(atAlice.frames()).isEmpty();
        assertThat(bob.send(ALICE, ByteBuffer.wrap(new byte[] {42}))).isTrue();
        Await.until(DEADLINE, () -> atAlice.frames().size() == 1, () -> "bob's frame after the forgeries");
        assertThat(atAlice.frames().get(0).bytes()).containsExactly(42);
    }

    @Test
    void identityEnforcedAgainstAServerThatDoesNotEnforceItIsReportedAndPeersAreMembersOnly() {
        try (NatsServerProcess open = NatsServerProcess.start()) {
            RecordingListener atCarol = new RecordingListener("carol", 1 << 16);
            RecordingListener atDave = new RecordingListener("dave", 1 << 16);
            NatsTransport dave = NatsTransports.fast(open.url()).prefix("open").build();
            dave.start(NodeId.of("dave"), atDave);
            closeables.add(dave);
            awaitAnnouncement(open.url(), "open.presence.dave"); // so dave's subscriptions are in place
            NatsTransport carol = NatsTransports.fast(open.url())
                    .prefix("open")
                    .nkey(SEEDS.get(ALICE))
                    .identityEnforced(true)
                    .build();
            carol.start(NodeId.of("carol"), atCarol);
            closeables.add(carol);
            awaitUp(atCarol, NodeId.of("dave"));

            assertThat(carol.identityChecksFailed()).isEqualTo(1);
            assertThat(carol.peerProof()).isEqualTo(PeerProof.MEMBERSHIP);
            assertThat(atCarol.lastProof(NodeId.of("dave"))).isEqualTo(PeerProof.MEMBERSHIP);
            assertThat(atCarol.rejections())
                    .singleElement()
                    .satisfies(r -> assertThat(r.reason())
                            .startsWith("identityEnforced is set but the identity check failed: the server did not"
                                    + " refuse node carol publishing on open.presence._check"));
            Await.until(DEADLINE, () -> dave.rejectedMessages() == 1, () -> "dave: " + atDave.rejections());
            assertThat(atDave.rejections())
                    .singleElement()
                    .satisfies(r -> assertThat(r.reason()).contains("does not enforce per-node permissions"));
        }
    }

    private UnaryOperator<NatsTransport.Builder> as(NodeId node) {
        return b -> b.sslContext(pki.clientContext()).nkey(SEEDS.get(node)).identityEnforced(true);
    }

    private NatsTransport transport(NodeId self, Path seed, RecordingListener listener) {
        NatsTransport t = NatsTransports.fast(server.url())
                .prefix(PREFIX)
                .sslContext(pki.clientContext())
                .nkey(seed)
                .identityEnforced(true)
                .build();
        t.start(self, listener);
        closeables.add(t);
        return t;
    }

    /** Waits until a message is published on {@code subject}, by a client that subscribes now. */
    private void awaitAnnouncement(String url, String subject) {
        try {
            Connection tap = Nats.connect(Options.builder().server(url).build());
            try {
                tap.subscribe(subject).nextMessage(DEADLINE);
            } finally {
                tap.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitUp(RecordingListener listener, NodeId peer) {
        Await.until(DEADLINE, () -> listener.isUp(peer), () -> peer + " up: " + listener.history(peer));
    }

    private static String serverLog() {
        try {
            return Files.readString(server.logFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
