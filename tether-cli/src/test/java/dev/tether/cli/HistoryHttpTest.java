package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.bus.HistoryOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message history over real HTTP ({@code GET /mgmt/history}) and through {@code tether history}: two nodes over TCP
 * on loopback with SQLite stores and history on (payloads kept up to 4 bytes). Bad input is 400 (exit 2) naming the
 * value, and the node keeps serving.
 */
class HistoryHttpTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Closer open = new Closer();
    private final InProcessCli cli = new InProcessCli();
    private final HttpClient http = HttpClient.newHttpClient();
    private TetherNode a;
    private TetherNode b;
    private String adminA;
    private String adminB;

    @BeforeEach
    void start() throws Exception {
        TcpTransport tb = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        b = node("b", tb, "a");
        TcpTransport ta = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(NodeId.of("b"), tb.boundAddress())
                .build();
        a = node("a", ta, "b");
        adminA = admin(a);
        adminB = admin(b);
        Await.until(DEADLINE, () -> a.stats().connectedPeers().size() == 1, () -> "a connected to b");
        b.handle("price", call -> "42".getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i <= 3; i++) {
            assertThat(a.send(NodeId.of("b"), "orders", ("order-" + i).getBytes(StandardCharsets.UTF_8))
                            .processed()
                            .get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
        }
        a.call(NodeId.of("b"), "price").request(new byte[0]).get(10, TimeUnit.SECONDS);
        Await.until(
                DEADLINE,
                () -> get(adminB, "/mgmt/history?direction=in").body().split("\"id\"").length == 5,
                () -> "b's history: " + get(adminB, "/mgmt/history").body());
    }

    @AfterEach
    void stop() throws Exception {
        open.close();
    }

    private TetherNode node(String id, TcpTransport t, String peer) {
        TetherNode n = Tether.start(TetherConfig.builder(NodeId.of(id))
                .peers(List.of(NodeId.of(peer)))
                .transport(t)
                .store(new SqliteStore(dir.resolve(id + ".db")))
                .durability(Durability.OS_BUFFERED)
                .history(HistoryOptions.DEFAULT.payloads(4))
                .handler(d -> {})
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

    private HttpResponse<String> get(String admin, String pathAndQuery) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
                            .GET()
                            .timeout(DEADLINE)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void entriesAreQueriedOverHttpByEachFilter() {
        HttpResponse<String> r = get(adminA, "/mgmt/history?peer=b&lane=orders&direction=out&payloads=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body())
                .startsWith("[{\"id\":1,\"at\":\"20")
                .contains(
                        "\"direction\":\"OUT\",\"kind\":\"DIRECT\",\"peer\":\"b\",\"fromAgent\":null,"
                                + "\"toAgent\":null,\"channel\":null,\"handler\":null,\"lane\":\"orders\",\"seq\":1,"
                                + "\"outcome\":null,\"size\":7,\"headers\":{},\"truncated\":true,\"payloadBase64\":\"b3JkZQ==\",\"payloadText\":\"orde\"")
                .doesNotContain("\"seq\":4");
        assertThat(get(adminB, "/mgmt/history?kind=request").body())
                .contains("\"direction\":\"IN\",\"kind\":\"REQUEST\"", "\"handler\":\"price\"")
                .contains("\"outcome\":\"PROCESSED\"")
                .doesNotContain("\"payloadBase64\"");
        assertThat(get(adminB, "/mgmt/history?kind=response").body()).contains("\"direction\":\"OUT\"");
        assertThat(get(adminB, "/mgmt/history?outcome=processed&lane=orders&max=2")
                        .body()
                        .split("\"id\""))
                .hasSize(3);
        assertThat(get(adminB, "/mgmt/history?since=10m&lane=orders").body().split("\"id\""))
                .hasSize(4);
        assertThat(get(adminB, "/mgmt/history?to=2000-01-01T00:00:00Z").body()).isEqualTo("[]\n");
        assertThat(get(adminB, "/mgmt/history?lane=orders&after=1").body()).doesNotContain("\"id\":1,");
        assertThat(get(adminA, "/mgmt/history?format=text&lane=orders").body())
                .containsPattern("#1 20\\S+Z OUT DIRECT    b orders#1 size=7\n");
    }

    @Test
    void theCliPrintsTextOrJsonAndFiltersLikeHttp() {
        assertThat(run("history", "--admin", adminA, "--peer", "b", "--lane", "orders", "--max", "2", "--payloads"))
                .as(cli.err())
                .isZero();
        assertThat(out())
                .matches("#1 \\S+Z OUT DIRECT    b orders#1 size=7 payload=orde \\(truncated\\)\n"
                        + "#2 \\S+Z OUT DIRECT    b orders#2 size=7 payload=orde \\(truncated\\)\n");
        assertThat(run("history", "--admin", adminB, "--since", "10m", "--kind", "request", "--json"))
                .isZero();
        assertThat(out())
                .startsWith("[{\"id\":")
                .contains("\"kind\":\"REQUEST\"")
                .endsWith("}]\n");
        assertThat(run("history", "--admin", adminB, "--kind", "broadcast")).isZero();
        assertThat(out()).isEqualTo("no history entries\n");
    }

    @Test
    void badQueriesAre400AndExit2AndTheNodeKeepsServing() {
        assertBad("/mgmt/history?from=2000&to=1000", "from (2000) is after to (1000)");
        assertBad("/mgmt/history?max=0", "max must be between 1 and 10000, was 0");
        assertBad("/mgmt/history?max=10001", "max must be between 1 and 10000");
        assertBad("/mgmt/history?kind=gossip", "unknown kind 'gossip'");
        assertBad("/mgmt/history?lane=no%20spaces", "invalid lane 'no spaces'");
        assertBad("/mgmt/history?direction=sideways", "unknown direction 'sideways'");
        assertBad("/mgmt/history?since=ages", "since:");
        assertBad("/mgmt/history?from=yesterday", "from must be epoch milliseconds or an ISO-8601 instant");
        assertBad("/mgmt/history?after=x", "after must be a number");
        assertBad("/mgmt/history?from=%2B1000000000-01-01T00:00:00Z", "from is beyond the range of epoch milliseconds");
        assertBad("/mgmt/history?to=-1000000000-01-01T00:00:00Z", "to is beyond the range of epoch milliseconds");
        assertBad(
                "/mgmt/history?since=PT9223372036854775807S",
                "since: 'PT9223372036854775807S': too long (at most 106751 days)");
        assertBad("/mgmt/history?peer=bad%20id", "bad id");
        assertThat(run("history", "--admin", adminA, "--kind", "gossip")).isEqualTo(2);
        assertThat(cli.err()).contains("HTTP 400", "unknown kind 'gossip'");
        assertThat(run("history", "--admin", adminA, "--max", "0")).isEqualTo(2);
        assertThat(get(adminA, "/mgmt/history?lane=orders").statusCode()).isEqualTo(200);
    }

    private void assertBad(String pathAndQuery, String reason) {
        HttpResponse<String> r = get(adminA, pathAndQuery);
        assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(400);
        assertThat(r.body()).as(pathAndQuery).contains(reason);
    }
}
