package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Closer;
import dev.tether.transport.memory.InMemoryNetwork;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a web page of another site could make to the loopback endpoints (the admin endpoint without a token,
 * the chat page, the metrics endpoint) are refused: a Host that is not a loopback name (DNS rebinding) and a foreign Origin (a page posting
 * across origins). Raw HTTP over real sockets, as a browser would send it.
 */
class PageRequestsTest {
    private static final String TOKEN = "a-token-of-twenty-chars";

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Closer open = new Closer();

    @AfterEach
    void close() throws Exception {
        open.close();
    }

    @Test
    void loopbackNamesAreTheLoopbackLiteralsAndLocalhostOnly() {
        for (String h : List.of(
                "127.0.0.1:7801", "127.1.2.3", "localhost", "LOCALHOST:80", "app.localhost:1", "[::1]:7801", "[::1]")) {
            assertThat(PageRequests.isLoopbackName(h)).as(h).isTrue();
        }
        for (String h : List.of(
                "evil.example:7801",
                "127.0.0.1.evil.example",
                "localhost.evil.example",
                "128.0.0.1",
                "127.0.0.256",
                "10.0.0.1:7801",
                "[::2]:7801",
                "[evil]:1",
                "")) {
            assertThat(PageRequests.isLoopbackName(h)).as(h).isFalse();
        }
    }

    @Test
    void theAdminEndpointRefusesWhatAPageOfAnotherSiteSendsAndSendsNothingForIt() throws Exception {
        TetherNode a = node();
        AdminServer admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), a, 1 << 20);
        open.add(admin);
        int port = admin.address().getPort();
        String own = "127.0.0.1:" + port;

        String rebound = RawHttp.exchange(port, post("evil.example:" + port, "http://evil.example:" + port, null));
        String forged = RawHttp.exchange(port, post(own, "https://evil.example", null));
        String sandboxed = RawHttp.exchange(port, post(own, "null", null));
        assertThat(rebound).startsWith("HTTP/1.1 403").contains("not a loopback name", "DNS rebinding");
        assertThat(forged).startsWith("HTTP/1.1 403").contains("another origin (https://evil.example)");
        assertThat(sandboxed).startsWith("HTTP/1.1 403");
        assertThat(a.stats().streams()).as("nothing sent for a refused request").isEmpty();

        assertThat(RawHttp.exchange(port, RawHttp.get("/stats", "localhost:" + port)))
                .startsWith("HTTP/1.1 200");
        assertThat(RawHttp.exchange(port, post(own, "http://" + own, null)))
                .as("the endpoint's own page")
                .startsWith("HTTP/1.1 200");
        assertThat(RawHttp.exchange(port, post(own, null, null)))
                .as("a program (curl)")
                .startsWith("HTTP/1.1 200");
        assertThat(a.stats().streams()).hasSize(1);
    }

    @Test
    void withATokenAPagesRequestIsServedOnlyWithTheRightToken() throws Exception {
        TetherNode a = node();
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        AdminServer admin = AdminServer.bind(
                new InetSocketAddress("127.0.0.1", 0), AdminServer.Limits.DEFAULT, AdminAuth.fromFile(tokenFile));
        open.add(admin);
        admin.start(a, 1 << 20);
        int port = admin.address().getPort();
        String host = "evil.example:" + port;

        assertThat(RawHttp.exchange(port, post(host, null, null))).startsWith("HTTP/1.1 403");
        assertThat(RawHttp.exchange(port, post(host, null, "wrong-token-of-20-chars")))
                .startsWith("HTTP/1.1 401");
        assertThat(a.stats().streams()).isEmpty();
        assertThat(RawHttp.exchange(port, post(host, null, TOKEN))).startsWith("HTTP/1.1 200");
    }

    @Test
    void theChatPageRefusesAForeignHostAndAForeignOriginsWebSocket() throws Exception {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        ChatWeb web = ChatWeb.start(
                new InetSocketAddress("127.0.0.1", 0), new ChatRoom(transcript, "general", Clock.systemUTC()));
        open.add(web);
        int port = web.address().getPort();

        assertThat(RawHttp.exchange(port, RawHttp.get("/", "127.0.0.1:" + port)))
                .startsWith("HTTP/1.1 200")
                .contains("<html");
        assertThat(RawHttp.exchange(port, RawHttp.get("/", "evil.example:" + port)))
                .startsWith("HTTP/1.1 403");
        String upgrade = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        assertThat(RawHttp.exchange(port, upgrade)).startsWith("HTTP/1.1 403").contains("another origin");
        assertThatThrownBy(() -> ChatWeb.start(
                        InetSocketAddress.createUnresolved("10.1.2.3", 0),
                        new ChatRoom(transcript, "general", Clock.systemUTC())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a loopback address");
    }

    @Test
    void theMetricsEndpointRefusesAForeignHostFromLoopback() throws Exception {
        MetricsServer metrics = MetricsServer.bind(new InetSocketAddress("127.0.0.1", 0), NodeId.of("a"));
        open.add(metrics);
        int port = metrics.address().getPort();

        assertThat(RawHttp.exchange(port, RawHttp.get("/metrics", "evil.example:" + port)))
                .startsWith("HTTP/1.1 403")
                .contains("DNS rebinding")
                .doesNotContain("jvm_");
        assertThat(RawHttp.exchange(port, RawHttp.get("/metrics", "localhost:" + port)))
                .startsWith("HTTP/1.1 200")
                .contains("jvm_memory_used_bytes");
    }

    private TetherNode node() {
        TetherNode b = start("b", "a");
        TetherNode a = start("a", "b");
        open.add(b);
        open.add(a);
        return a;
    }

    private TetherNode start(String id, String peer) {
        return Tether.start(
                MemoryNodes.builder(network, id, peer).handler(d -> {}).build());
    }

    private static String post(String host, String origin, String token) {
        return "POST /send?to=b&wait=accepted HTTP/1.1\r\nHost: " + host + "\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";
    }
}
