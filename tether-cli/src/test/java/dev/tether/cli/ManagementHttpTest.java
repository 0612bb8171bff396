package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelAccessDeniedException;
import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management model over real HTTP and through the {@code tether} commands: three nodes over TCP on loopback with
 * SQLite stores, their admin endpoints. Bad input gets a specific status and the node keeps serving; a request from
 * an address other than loopback needs the admin token.
 */
class ManagementHttpTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(5), 1.0);

    @TempDir
    Path dir;

    private final List<String> seenByC = new CopyOnWriteArrayList<>();
    private final Closer open = new Closer();
    private final InProcessCli cli = new InProcessCli();
    private final HttpClient http = HttpClient.newHttpClient();
    private TetherNode a;
    private TetherNode b;
    private TetherNode cNode;
    private String adminA;
    private String adminB;

    @BeforeEach
    void start() throws Exception {
        TcpTransport tb = transport();
        TcpTransport tc = transport();
        b = node("b", tb, FAST, d -> {
            if (new String(d.payloadBytes(), StandardCharsets.UTF_8).startsWith("poison")) {
                throw new IllegalStateException("cannot digest " + d.seq());
            }
        });
        cNode = node(
                "c", tc, RetryPolicy.DEFAULT, d -> seenByC.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
        TcpTransport ta = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(NodeId.of("b"), tb.boundAddress())
                .peer(NodeId.of("c"), tc.boundAddress())
                .peer(NodeId.of("d"), new InetSocketAddress("127.0.0.1", 1)) // never runs
                .build();
        a = node("a", ta, RetryPolicy.DEFAULT, d -> {});
        b.addPeer(NodeId.of("c"), List.of(HostPort.format(tc.boundAddress())));
        adminA = admin(a);
        adminB = admin(b);
        Await.until(DEADLINE, () -> a.stats().connectedPeers().size() == 2, () -> "a connected to b and c");
    }

    @AfterEach
    void stop() throws Exception {
        open.close();
    }

    private static TcpTransport transport() {
        return TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
    }

    private TetherNode node(String id, TcpTransport t, RetryPolicy retry, MessageHandler handler) {
        List<NodeId> peers = id.equals("a")
                ? List.of(NodeId.of("b"), NodeId.of("c"), NodeId.of("d"))
                : id.equals("b") ? List.of(NodeId.of("a")) : List.of(NodeId.of("a"), NodeId.of("b"));
        TetherNode n = Tether.start(TetherConfig.builder(NodeId.of(id))
                .peers(peers)
                .transport(t)
                .store(new SqliteStore(dir.resolve(id + ".db")))
                .durability(Durability.OS_BUFFERED)
                .retryPolicy(retry)
                .channelJoinTimeout(Duration.ofSeconds(2)) // d never runs: a readmit tells b after this
                .handler(handler)
                .build());
        open.add(n);
        return n;
    }

    private String admin(TetherNode n) throws Exception {
        AdminServer s = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), n, 1 << 20);
        open.add(s);
        return HostPort.format(s.address());
    }

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return cli.out();
    }

    private HttpResponse<String> get(String admin, String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
                .GET());
    }

    private HttpResponse<String> post(String admin, String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder r) throws Exception {
        return http.send(r.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void topologyNodesAndStatisticsOverHttpAndTheCli() throws Exception {
        HttpResponse<String> t = get(adminA, "/mgmt/topology");
        assertThat(t.statusCode()).isEqualTo(200);
        assertThat(t.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(t.body())
                .startsWith("{\"node\":\"a\",\"epoch\":")
                .containsPattern("\\{\"id\":\"b\",\"origin\":\"CONFIGURED\",\"addresses\":\\[[^]]*],"
                        + "\"connected\":true,\"connectedSince\":\"[0-9T:.Z-]+\",\"connections\":1,\"reconnects\":0")
                .contains("{\"id\":\"d\",\"origin\":\"CONFIGURED\"", "\"connected\":false,\"connectedSince\":null")
                .contains("\"channels\":[]");
        assertThat(run("topology", "--admin", adminA)).as(cli.err()).isZero();
        assertThat(out()).startsWith("node a: up ").containsPattern("\n  b +CONFIGURED +yes +");
        assertThat(out()).containsPattern("\n  d +CONFIGURED +no +- +0 ");
        assertThat(run("nodes", "--admin", adminA)).isZero();
        assertThat(out())
                .contains("a                self")
                .containsPattern("\nb +connected")
                .containsPattern("\nd +down");

        a.send(NodeId.of("c"), "x", "hi".getBytes(StandardCharsets.UTF_8))
                .processed()
                .get(10, TimeUnit.SECONDS);
        assertThat(get(adminA, "/mgmt/stats").body())
                .startsWith("{\"node\":{\"node\":\"a\"")
                .contains("{\"peer\":\"c\",\"outboundStreams\":1,\"queued\":0,\"inFlight\":0,\"sent\":1,");
        assertThat(get(adminA, "/mgmt/events").body()).contains("\"kind\":\"PeerConnected\"");
    }

    @Test
    void channelsAndTheirSubscribersOverHttpAndTheCli() throws Exception {
        b.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        a.join("news", ChannelRole.WRITE); // completes only when d, which never runs, has taken note
        for (int i = 1; i <= 2; i++) {
            a.publish("news", ("n" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
        String reader = "{\"reader\":\"b\",\"connected\":true,\"cursor\":2,\"backlog\":0,\"missed\":0}";
        Await.until(
                DEADLINE,
                () -> subscribersOfNews().equals("[" + reader + "]"),
                () -> "b at 2 on a's log: " + subscribersOfNews());
        assertThat(get(adminA, "/mgmt/channels").body().strip())
                .isEqualTo("[{\"channel\":\"news\",\"role\":\"WRITE\",\"lastSeq\":2,\"readers\":[" + reader
                        + "],\"kicked\":[]}]");
        assertThat(get(adminA, "/mgmt/topology").body()).contains("\"channels\":[\"news:WRITE\"]");
        // b's membership, as b advertised it to a (its _hello), in a's view of its peers
        Await.until(
                DEADLINE,
                () -> topologyOfA()
                        .matches(".*\\{\"id\":\"b\"[^}]*\"handlers\":\\[]," + "\"channels\":\\[\"news:READ\"]}.*"),
                () -> "b's channels in a's topology: " + topologyOfA());
        assertThat(run("channels", "--admin", adminA)).isZero();
        assertThat(out())
                .startsWith("#news  role WRITE, last published 2, 1 readers")
                .containsPattern("\n  b +connected +2 +0");
        assertThat(run("subscribers", "news", "--admin", adminA)).isZero();
        assertThat(out()).containsPattern("reader +state +cursor +backlog +missed\n  b +connected +2 +0 +0");
        assertThat(get(adminA, "/mgmt/subscribers").statusCode()).isEqualTo(400);
        assertThat(get(adminA, "/mgmt/subscribers?channel=no%20spaces").statusCode())
                .isEqualTo(400);
    }

    @Test
    void endpointsWithTheirChannelsAndPerChannelStatsOverHttpAndTheCli() throws Exception {
        dev.tether.bus.Bus bus = Tether.bus(b);
        dev.tether.bus.Endpoint alice = bus.endpoint("alice", d -> {});
        alice.join("news", ChannelRole.READ_WRITE).get(10, TimeUnit.SECONDS);
        bus.endpoint("bob", d -> {}).join("sports", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        dev.tether.bus.Endpoint carol =
                bus.endpoint("carol", dev.tether.bus.EndpointOptions.defaults().durable(), d -> {});
        carol.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        carol.close(); // durable: its membership stays while it waits to be registered again
        assertThat(alice.publish("news", "hello".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(dev.tether.Outcome.PROCESSED);
        assertThat(get(adminB, "/mgmt/endpoints").body().strip())
                .isEqualTo("[{\"endpoint\":\"alice\",\"registered\":true,\"durable\":false,"
                        + "\"channels\":{\"news\":\"READ_WRITE\"},\"stats\":{\"sent\":1,\"received\":0,"
                        + "\"processed\":0,\"failed\":0,\"redeliveries\":0,\"refused\":0}},"
                        + "{\"endpoint\":\"bob\",\"registered\":true,\"durable\":false,"
                        + "\"channels\":{\"sports\":\"READ\"},\"stats\":{\"sent\":0,\"received\":0,"
                        + "\"processed\":0,\"failed\":0,\"redeliveries\":0,\"refused\":0}},"
                        + "{\"endpoint\":\"carol\",\"registered\":false,\"durable\":true,"
                        + "\"channels\":{\"news\":\"READ\"}}]");
        assertThat(run("endpoints", "--admin", adminB)).as(cli.err()).isZero();
        assertThat(out())
                .startsWith("endpoint                 state        durable       sent  received processed  failed  "
                        + "channels\n")
                .containsPattern("\nalice +registered +no +1 +0 +0 +0  #news READ_WRITE\n")
                .containsPattern("\nbob +registered +no +0 +0 +0 +0  #sports READ\n")
                .containsPattern("\ncarol +waiting +yes +- +- +- +-  #news READ\n");
        assertThat(run("endpoints", "--admin", adminA)).isZero();
        assertThat(out()).isEqualTo("no endpoints\n");

        assertThat(run("stats", "--admin", adminB)).as(cli.err()).isZero();
        assertThat(out())
                .containsPattern("\n  channel +role +readers +published +held +rejected +waiting +delivered +missed"
                        + " +copies +endpoints\n")
                .containsPattern("\n  news +READ_WRITE +0 +1 +[0-9]+ +0 +0 +0 +0/0 +1 +2\n")
                .containsPattern("\n  sports +READ +0 +0 +0 +0 +0 +0 +0/0 +0 +1\n");
        assertThat(run("stats", "--json", "--admin", adminB)).isZero();
        assertThat(out())
                .contains("\"channels\":[{\"channel\":\"news\",\"role\":\"READ_WRITE\","
                        + "\"endpoints\":{\"alice\":\"READ_WRITE\",\"carol\":\"READ\"},\"readers\":0,"
                        + "\"published\":1,")
                .contains("\"rejectedByLog\":0,")
                .contains("\"endpointCopies\":1}");
    }

    private String topologyOfA() {
        try {
            return get(adminA, "/mgmt/topology").body().strip();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private String subscribersOfNews() {
        try {
            return get(adminA, "/mgmt/subscribers?channel=news").body().strip();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aNodeIsKickedFromAChannelAndReadmittedThroughTheCli() throws Exception {
        b.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        a.join("news", ChannelRole.WRITE); // completes only when d, which never runs, has taken note
        a.publish("news", "m1".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        String atOne = "[{\"reader\":\"b\",\"connected\":true,\"cursor\":1,\"backlog\":0,\"missed\":0}]";
        Await.until(DEADLINE, () -> subscribersOfNews().equals(atOne), () -> "b at 1: " + subscribersOfNews());

        assertThat(run("kick", "--channel", "news", "b", "--admin", adminA, "--json"))
                .isZero();
        assertThat(out())
                .isEqualTo("{\"channel\":\"news\",\"node\":\"b\",\"wasReader\":true,\"dropped\":0,"
                        + "\"told\":[\"c\",\"d\"]}\n");
        assertThat(subscribersOfNews()).isEqualTo("[]");
        assertThat(get(adminA, "/mgmt/channels").body()).contains("\"kicked\":[\"b\"]");
        assertThat(run("channels", "--admin", adminA)).isZero();
        assertThat(out()).contains("\n  kicked: b\n");
        Await.until(
                DEADLINE,
                () -> Tether.management(b).recentEvents().stream()
                        .anyMatch(e -> e.kind().equals("ChannelKicked")),
                () -> "b to be told: " + Tether.management(b).recentEvents());
        assertThatThrownBy(() -> b.join("news", ChannelRole.READ).join())
                .hasCauseInstanceOf(ChannelAccessDeniedException.class);

        assertThat(run("readmit", "--channel", "news", "b", "--admin", adminA)).isZero();
        assertThat(out()).isEqualTo("readmitted b to channel news, told c,d\n"); // text without --json
        assertThat(get(adminA, "/mgmt/channels").body()).contains("\"kicked\":[]");
        Await.until(DEADLINE, this::bJoinsNews, () -> "b to be re-admitted");
        a.publish("news", "m2".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        Await.until(
                DEADLINE,
                () -> subscribersOfNews().contains("\"reader\":\"b\",\"connected\":true,\"cursor\":2"),
                () -> "b at 2 again: " + subscribersOfNews());

        assertThat(run("kick", "--channel", "news", "a", "--admin", adminA)).isEqualTo(2); // refused input: 400
        assertThat(cli.err()).contains("HTTP 400", "cannot kick itself");
        assertThat(run("kick", "--admin", adminA, "a")).isEqualTo(2); // from the cluster: 400 too
        assertThat(cli.err()).contains("HTTP 400", "cannot kick itself from the cluster");
        assertThat(post(adminA, "/mgmt/kick?node=b&channel=_all").statusCode()).isEqualTo(400);
        assertThat(get(adminA, "/mgmt/kick?node=b&channel=news").statusCode()).isEqualTo(405);
    }

    @Test
    void aNodeIsKickedFromTheClusterAndReadmittedThroughTheCli() throws Exception {
        NodeId c = NodeId.of("c");
        Await.until(DEADLINE, () -> connected(b, c), () -> "b connected to c: " + b.peers());
        assertThat(run("kick", "c", "--admin", adminA)).isZero();
        assertThat(out())
                .isEqualTo("kicked c from the cluster: a known peer, 0 messages purged, 0 dropped, told b,d\n");
        assertThat(get(adminA, "/mgmt/topology").body()).contains("\"kicked\":[\"c\"]");
        assertThat(run("topology", "--admin", adminA)).isZero();
        assertThat(out()).contains("\n  kicked from the cluster: c\n").doesNotContain("\n  c ");
        Await.until(
                DEADLINE,
                () -> b.peers().stream().noneMatch(p -> p.id().equals(c)),
                () -> "b to take the kick: " + b.peers());
        assertThatThrownBy(() -> a.send(c, "refused".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("was removed from node a");

        HttpResponse<String> readmitted = post(adminA, "/mgmt/readmit?node=c");
        assertThat(readmitted.body().strip()).isEqualTo("{\"told\":[\"b\",\"d\"]}");
        Await.until(
                DEADLINE,
                () -> connected(a, c) && connected(b, c),
                () -> "c connected again: a " + a.peers() + "\n b " + b.peers() + "\n c " + cNode.peers());
        a.send(c, "after".getBytes(StandardCharsets.UTF_8)).processed().get(10, TimeUnit.SECONDS);
        assertThat(seenByC).contains("after");
        assertThat(get(adminB, "/mgmt/topology").body()).contains("\"kicked\":[]");
    }

    private static boolean connected(TetherNode n, NodeId peer) {
        return n.peers().stream().anyMatch(p -> p.id().equals(peer) && p.connected());
    }

    /** Tries a join of news on b: true once it is accepted (a kicked node's join fails at once). */
    private boolean bJoinsNews() {
        try {
            b.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            if (e.getCause() instanceof ChannelAccessDeniedException) return false;
            throw new AssertionError("join failed otherwise", e);
        }
    }

    @Test
    void aDeadLetterIsListedReplayedFromTheCliAndPurged() throws Exception {
        SendReceipt poison = a.send(NodeId.of("b"), "orders", "poison-1".getBytes(StandardCharsets.UTF_8));
        assertThat(poison.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(run("dlq", "list", "--admin", adminB, "--json", "--payloads"))
                .isZero();
        Matcher id = Pattern.compile("\"id\":\"(a/orders/-?\\d+/1)\"").matcher(out());
        assertThat(id.find()).as(out()).isTrue();
        assertThat(out()).contains("\"payloadText\":\"poison-1\"", "\"reason\":", "cannot digest 1");
        assertThat(run("dlq", "list", "--admin", adminB)).isZero();
        assertThat(out()).startsWith(id.group(1) + "  attempts=2 size=8");

        assertThat(run("dlq", "replay", id.group(1), "--admin", adminB, "--to", "c", "--lane", "again"))
                .as(cli.err())
                .isZero();
        assertThat(out()).isEqualTo("replayed as c/again#1\n");
        Await.until(DEADLINE, () -> seenByC.contains("poison-1"), () -> "replayed to c: " + seenByC);
        assertThat(run("dlq", "list", "--admin", adminB)).isZero();
        assertThat(out()).isEqualTo("no dead letters\n");
        assertThat(run("dlq", "replay", id.group(1), "--admin", adminB, "--to", "c", "--lane", "again"))
                .isEqualTo(1);
        assertThat(cli.err()).contains("HTTP 404", "no dead letter " + id.group(1));

        a.send(NodeId.of("b"), "poison-2".getBytes(StandardCharsets.UTF_8))
                .processed()
                .get(10, TimeUnit.SECONDS);
        assertThat(run("dlq", "purge", "--admin", adminB)).isEqualTo(2);
        assertThat(run("dlq", "purge", "--all", "--admin", adminB, "--json")).isZero();
        assertThat(out()).isEqualTo("{\"purged\":1}\n");
        assertThat(get(adminB, "/mgmt/dead-letters").body()).isEqualTo("[]\n");
    }

    @Test
    void pendingMessagesTheirStatusAndAPurgeThroughTheCli() throws Exception {
        List<SendReceipt> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) sent.add(a.send(NodeId.of("d"), "x", ("m" + i).getBytes(StandardCharsets.UTF_8)));
        for (SendReceipt r : sent) r.accepted().get(10, TimeUnit.SECONDS);
        assertThat(run("pending", "--admin", adminA, "--peer", "d", "--lane", "x", "--payloads"))
                .isZero();
        assertThat(out()) // d is away: nothing was transmitted
                .matches("d/x#1  size=2 age=\\d+ms attempts=0 expires=never payload=m1\n"
                        + "d/x#2  size=2 age=\\d+ms attempts=0 expires=never payload=m2\n"
                        + "d/x#3  size=2 age=\\d+ms attempts=0 expires=never payload=m3\n");
        assertThat(get(adminA, "/mgmt/pending?peer=d&lane=x&max=1").body())
                .matches("\\[\\{\"id\":\"d/x#1\",.*\"expiresAt\":null,\"acceptedAt\":\"20\\d\\d-[^\"]+Z\","
                        + "\"ageMillis\":\\d+,\"attempts\":0\\}\\]\n");
        assertThat(run("message-status", "--admin", adminA, "d/x#2", "--json")).isZero();
        assertThat(out()).startsWith("{\"id\":\"d/x#2\",\"status\":\"PENDING\"");
        assertThat(run("message-status", "--admin", adminA, "d/x#9")).isZero();
        assertThat(out()).startsWith("d/x#9 UNKNOWN").doesNotContain("{");

        assertThat(run("purge", "--admin", adminA, "--peer", "d", "--lane", "x"))
                .isZero();
        assertThat(out()).isEqualTo("purged 3 messages on 1 stream\n");
        for (SendReceipt r : sent)
            assertThat(r.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PURGED);
        assertThat(run("pending", "--admin", adminA, "--peer", "d", "--lane", "x"))
                .isZero();
        assertThat(out()).isEqualTo("no pending messages\n");
        assertThat(run("message-status", "--admin", adminA, "d/x#2", "--json")).isZero();
        assertThat(out()).contains("\"status\":\"ACKNOWLEDGED\"");
        assertThat(run("purge", "--admin", adminA)).isEqualTo(2); // neither --peer nor --all: usage
        assertThat(run("purge", "--admin", adminA, "--peer", "zed")).isEqualTo(1);
        assertThat(cli.err()).contains("HTTP 404", "no outbound stream to zed");
    }

    @Test
    void badRequestsGetSpecificErrorsAndTheNodeKeepsServing() throws Exception {
        assertThat(get(adminA, "/mgmt/pending?peer=zz&lane=x")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).startsWith("{\"error\":\"node a has no outbound stream to zz on lane x");
        });
        assertThat(get(adminA, "/mgmt/pending?peer=b").body()).contains("missing query parameter lane");
        assertThat(get(adminA, "/mgmt/pending?peer=b").statusCode()).isEqualTo(400);
        assertThat(get(adminA, "/mgmt/pending?peer=bad%20id&lane=x").statusCode())
                .isEqualTo(400);
        assertThat(get(adminA, "/mgmt/message?peer=b&lane=x&seq=abc").body()).contains("seq must be a number");
        assertThat(get(adminA, "/mgmt/dead-letters?max=0").statusCode()).isEqualTo(400);
        assertThat(post(adminA, "/mgmt/purge").statusCode()).isEqualTo(400);
        assertThat(post(adminA, "/mgmt/purge?lane=x").body()).contains("lane=L needs peer=P");
        assertThat(get(adminA, "/mgmt/purge?all=1").statusCode()).isEqualTo(405);
        assertThat(post(adminB, "/mgmt/dead-letters/replay?id=nonsense&to=c&lane=x")
                        .body())
                .contains("malformed dead-letter id 'nonsense'");
        assertThat(post(adminB, "/mgmt/dead-letters/replay?id=a/x/1/1&to=c&lane=x")
                        .statusCode())
                .isEqualTo(404);
        assertThat(post(adminB, "/mgmt/dead-letters/purge").statusCode()).isEqualTo(400);
        assertThat(get(adminA, "/mgmt/nothing").statusCode()).isEqualTo(404);
        assertThat(get(adminA, "/mgmt/topology").statusCode()).isEqualTo(200);
        assertThat(a.send(NodeId.of("b"), "still".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
    }

    @Test
    void fromAnAddressOtherThanLoopbackTheTokenIsRequired() throws Exception {
        InetAddress external = NonLoopback.address();
        assertThatThrownBy(() -> AdminServer.bind(
                        new InetSocketAddress(external, 0), AdminServer.Limits.DEFAULT, AdminAuth.loopbackOnly()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without --admin-token-file");
        Path tokenFile = Files.writeString(dir.resolve("token"), "s3cret-token-0123456789\n");
        AdminServer s = AdminServer.bind(
                new InetSocketAddress(external, 0), AdminServer.Limits.DEFAULT, AdminAuth.fromFile(tokenFile));
        open.add(s);
        s.start(a, 1 << 20);
        String remote = HostPort.format(s.address()); // the client connects from this non-loopback address too
        HttpResponse<String> refused = get(remote, "/mgmt/topology");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("needs the admin token");
        assertThat(get(remote, "/stats").statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(URI.create("http://" + remote + "/mgmt/topology"))
                                .header("Authorization", "Bearer wrong-token-0000000000"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(URI.create("http://" + remote + "/mgmt/topology"))
                                .header("Authorization", "Bearer s3cret-token-0123456789"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(remote, "/mgmt/topology?token=s3cret-token-0123456789").statusCode())
                .isEqualTo(200);
        assertThat(run("topology", "--admin", remote, "--admin-token-file", tokenFile.toString()))
                .as(cli.err())
                .isZero();
        assertThat(run("topology", "--admin", remote)).isEqualTo(1);
        assertThat(cli.err()).contains("HTTP 401");
        Files.writeString(dir.resolve("short"), "short\n");
        assertThatThrownBy(() -> AdminAuth.fromFile(dir.resolve("short")))
                .hasMessageContaining("at least 16 characters");
    }
}
