package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherException;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the admin endpoint must answer even though they fail beyond the routes' own checks: a query that is not
 * valid URL encoding, numbers too large for a deadline, a node that fails under a request. Each gets an answer that
 * says what was wrong, nothing of a client's mistake is logged, and a request that is not authorised is refused
 * before its query is looked at.
 */
class AdminBadRequestsTest {
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final TetherNode a = node("a", "b");
    private final TetherNode b = node("b", "a");
    private CapturedLog log;
    private List<LogRecord> logged;
    private AdminServer admin;

    private TetherNode node(String id, String peer) {
        return Tether.start(
                MemoryNodes.builder(network, id, peer).handler(d -> {}).build());
    }

    @BeforeEach
    void captureLog() {
        log = CapturedLog.of(AdminServer.class);
        logged = log.records();
    }

    @AfterEach
    void stop() {
        log.close();
        if (admin != null) admin.close();
        a.close();
        b.close();
    }

    /** Serves {@code node}'s requests; the management ones are {@code a}'s. */
    private void serve(TetherNode node) throws IOException {
        admin = AdminServer.bind(InetSocketAddress.createUnresolved("127.0.0.1", 0), AdminServer.Limits.DEFAULT);
        admin.start(node, a, 1 << 20, null);
    }

    private String exchange(String request) throws IOException {
        return RawHttp.exchange(admin.address().getPort(), request);
    }

    private static String get(String target) {
        return RawHttp.get(target);
    }

    private static String post(String target, String body) {
        return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body;
    }

    @Test
    void aQueryThatIsNotUrlEncodingIsAnswered400AndNothingIsLogged() throws IOException {
        serve(a);
        assertThat(exchange(get("/stats?x=%zz")))
                .startsWith("HTTP/1.1 400 ")
                .contains("the query is not valid URL encoding")
                .contains("%zz");
        assertThat(exchange(get("/stats?format=json&x=%zz")))
                .startsWith("HTTP/1.1 400 ")
                .contains("{\"error\":");
        assertThat(exchange(get("/stats"))).startsWith("HTTP/1.1 200 ");
        assertThat(logged).isEmpty();
    }

    @Test
    void timeoutsTooLargeForADeadlineAreAnswered400() throws IOException {
        serve(a);
        String huge = String.valueOf(Long.MAX_VALUE);
        assertThat(exchange(post("/send?to=b&timeoutMs=" + huge, "hi")))
                .startsWith("HTTP/1.1 400 ")
                .contains("timeoutMs must be 1..86400000 milliseconds, was '" + huge + "'");
        assertThat(exchange(post("/call?to=b&handler=echo&timeoutMs=" + huge, "hi")))
                .startsWith("HTTP/1.1 400 ")
                .contains("timeoutMs must be 1..86400000 milliseconds");
        assertThat(exchange(get("/handlers?peer=b&timeoutMs=" + huge)))
                .startsWith("HTTP/1.1 400 ")
                .contains("timeoutMs must be 1..86400000 milliseconds");
        assertThat(exchange(post("/send?to=b&timeoutMs=86400000", "hi"))).startsWith("HTTP/1.1 200 ");
        assertThat(logged).isEmpty();
    }

    @Test
    void aRequestAWebPageCouldHaveMadeIsRefusedBeforeItsQueryIsRead() throws IOException {
        serve(a);
        String answer = exchange("GET /stats?x=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 403 ").doesNotContain("URL encoding");
        assertThat(logged).isEmpty();
    }

    @Test
    void aNodeThatFailsUnderARequestGets503WithItsReason() throws IOException {
        String why = "node a did not answer a statistics request within 10 s";
        serve(failingStats(a, new TetherException(why)));
        assertThat(exchange(get("/stats"))).startsWith("HTTP/1.1 503 ").contains(why);
        assertThat(exchange(get("/stats?format=json")))
                .startsWith("HTTP/1.1 503 ")
                .contains("{\"error\":");
        assertThat(exchange(get("/peers"))).startsWith("HTTP/1.1 200 ");
        assertThat(logged).isEmpty();
    }

    @Test
    void aFailureThatIsNoClientsFaultIsAnswered500AndLoggedOnce() throws IOException {
        serve(failingStats(a, new IllegalStateException("a bug")));
        assertThat(exchange(get("/stats")))
                .startsWith("HTTP/1.1 500 ")
                .contains("the request failed: java.lang.IllegalStateException: a bug");
        Await.until(Duration.ofSeconds(30), () -> !logged.isEmpty(), () -> "the failure was logged");
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0).getThrown()).hasMessage("a bug");
    }

    /** {@code node}, whose {@code stats()} throws {@code failure}. */
    private static TetherNode failingStats(TetherNode node, RuntimeException failure) {
        return (TetherNode) Proxy.newProxyInstance(
                TetherNode.class.getClassLoader(), new Class<?>[] {TetherNode.class}, (proxy, m, args) -> {
                    if (m.getName().equals("stats")) throw failure;
                    try {
                        return m.invoke(node, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
