package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Closer;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing rules over the admin endpoint's HTTP routes ({@code /mgmt/bus/rules}) and through {@code tether rules}: a
 * node over TCP with a SQLite file. Changes act on the node's traffic at once, are counted, survive a restart; bad input
 * is 400 (CLI exit 2) naming the field, and changes nothing.
 */
class RulesHttpTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final String RULES = "/mgmt/bus/rules";

    @TempDir
    Path dir;

    private final Closer open = new Closer();
    private final InProcessCli cli = new InProcessCli();
    private final HttpClient http = HttpClient.newHttpClient();
    private TetherNode node;
    private String admin;

    @AfterEach
    void stop() throws Exception {
        open.close();
    }

    private void start() throws Exception {
        node = Tether.start(TetherConfig.builder(A)
                .transport(TcpTransport.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .build())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.OS_BUFFERED)
                .handler(d -> {})
                .build());
        open.add(node);
        AdminServer s = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), node, 1 << 20);
        open.add(s);
        admin = HostPort.format(s.address());
    }

    private Outcome send(String header, String value) throws Exception {
        return node.send(OutboundMessage.to(A)
                        .lane("orders")
                        .header(header, value)
                        .payload(new byte[] {1})
                        .build())
                .processed()
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    private HttpResponse<String> request(String method, String pathAndQuery, String body) throws Exception {
        HttpRequest.BodyPublisher p = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
                        .method(method, p)
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String q(String ruleText) {
        return "?rule=" + URLEncoder.encode(ruleText, StandardCharsets.UTF_8);
    }

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void rulesAreAddedListedDisabledAndRemovedOverHttpAndActOnTrafficAcrossARestart() throws Exception {
        start();
        assertThat(request("GET", RULES, null).body()).isEqualTo("[]\n");
        HttpResponse<String> added =
                request("POST", RULES + q("name=no-spam priority=10 header.spam=exact:yes action=drop"), null);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(added.body()).contains("\"added\":\"no-spam\"");
        HttpResponse<String> byBody =
                request("POST", RULES, "name=quarantine header.tenant=prefix:eu- action=deadLetter(EU%20traffic)\n");
        assertThat(byBody.statusCode()).as(byBody.body()).isEqualTo(200);

        assertThat(send("spam", "yes")).isEqualTo(Outcome.DROPPED);
        assertThat(send("tenant", "eu-1")).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(send("tenant", "us-1")).isEqualTo(Outcome.PROCESSED);
        HttpResponse<String> list = request("GET", RULES, null);
        assertThat(list.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(list.body())
                .startsWith("[{\"name\":\"no-spam\",\"priority\":10,\"enabled\":true,")
                .contains("\"text\":\"name=no-spam priority=10 header.spam=exact:yes action=drop\",\"matched\":1,"
                        + "\"errors\":0}")
                .contains("\"action\":\"deadLetter(EU traffic)\"");

        assertThat(request("POST", RULES + "/no-spam/disable", null).statusCode())
                .isEqualTo(200);
        assertThat(send("spam", "yes")).isEqualTo(Outcome.PROCESSED);
        assertThat(request("GET", RULES + "?format=text", null).body())
                .contains(
                        "name=no-spam priority=10 enabled=false header.spam=exact:yes action=drop  matched 1  errors 0");
        assertThat(request("DELETE", RULES + "/quarantine", null).statusCode()).isEqualTo(200);
        assertThat(send("tenant", "eu-2")).isEqualTo(Outcome.PROCESSED);
        String before = request("GET", RULES + "?format=text", null).body();

        // bad input: 400 naming the field, 405 for a wrong method, nothing changed
        assertRefused(request("POST", RULES + q("name=x recipient=regex:[a action=drop"), null), "match.recipient");
        assertRefused(request("POST", RULES + q("name=x action=explode"), null), "action");
        assertRefused(request("POST", RULES + q("name=no-spam action=drop"), null), "a rule of this name exists");
        assertRefused(request("POST", RULES + q("name=x action=copy(channel:_tap)"), null), "action");
        assertRefused(request("POST", RULES + q("name=x kind=request action=forward(node:a)"), null), "action");
        assertRefused(request("POST", RULES, null), "rule=TEXT");
        assertRefused(request("DELETE", RULES + "/nothing", null), "no routing rule named 'nothing'");
        assertRefused(request("POST", RULES + "/nothing/enable", null), "no routing rule named 'nothing'");
        assertThat(request("PUT", RULES + "/no-spam/enable", null).statusCode()).isEqualTo(405);
        assertThat(request("GET", RULES + "/no-spam/explode", null).statusCode())
                .isEqualTo(404);
        assertThat(request("GET", RULES + "?format=text", null).body()).isEqualTo(before);

        node.shutdown(Duration.ofSeconds(5));
        open.close(); // the admin server too (the node, shut down, closes at once)
        start();
        assertThat(request("GET", RULES + "?format=text", null).body())
                .as("the rules after a restart, with their counters started again")
                .isEqualTo(before.replace("matched 1", "matched 0"));
    }

    private static void assertRefused(HttpResponse<String> r, String reason) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains(reason);
    }

    @Test
    void theRulesCommandsChangeAndListRulesAndExitTwoOnBadInput() throws Exception {
        start();
        assertThat(run("rules", "add", "--admin", admin, "name=eu", "header.tenant=prefix:eu-", "action=drop"))
                .as(cli.err())
                .isZero();
        assertThat(cli.out()).isEqualTo("added eu: name=eu header.tenant=prefix:eu- action=drop\n"); // text
        assertThat(run("rules", "list", "--admin", admin)).isZero();
        assertThat(cli.out()).isEqualTo("name=eu header.tenant=prefix:eu- action=drop  matched 0  errors 0\n");
        assertThat(send("tenant", "eu-9")).isEqualTo(Outcome.DROPPED);
        assertThat(run("rules", "list", "--admin", admin, "--json")).isZero();
        assertThat(cli.out()).contains("\"name\":\"eu\"", "\"matched\":1");

        assertThat(run("rules", "add", "--admin", admin, "--replace", "name=eu", "priority=3", "action=drop"))
                .isZero();
        assertThat(run("rules", "disable", "--admin", admin, "eu", "--json")).isZero();
        assertThat(cli.out()).isEqualTo("{\"disabled\":\"eu\"}\n");
        assertThat(send("tenant", "eu-9")).isEqualTo(Outcome.PROCESSED);
        assertThat(run("rules", "enable", "--admin", admin, "eu")).isZero();
        assertThat(run("rules", "list", "--admin", admin)).isZero();
        assertThat(cli.out()).isEqualTo("name=eu priority=3 action=drop  matched 1  errors 0\n");

        assertThat(run("rules", "add", "--admin", admin, "name=bad", "lane=regex:(", "action=drop"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(cli.err()).contains("HTTP 400", "match.lane", "regex does not compile");
        assertThat(run("rules", "remove", "--admin", admin, "nothing")).isEqualTo(ExitCode.USAGE);
        assertThat(cli.err()).contains("no routing rule named 'nothing'");
        assertThat(run("rules", "remove", "--admin", admin, "bad/name")).isEqualTo(ExitCode.USAGE);
        assertThat(run("rules", "remove", "--admin", admin, "eu")).isZero();
        assertThat(cli.out()).isEqualTo("removed eu\n");
        assertThat(run("rules", "add", "--admin", admin, "name=tap", "priority=9", "action=copy(address:x/rec)"))
                .as(cli.err())
                .isZero();
        assertThat(run("rules", "add", "--admin", admin, "name=fwd", "lane=orders", "action=forward(node:x)"))
                .as(cli.err())
                .isZero();
        assertThat(run("rules", "list", "--admin", admin)).isZero();
        assertThat(cli.out())
                .isEqualTo("name=tap priority=9 action=copy(address:x/rec)  matched 0  errors 0\n"
                        + "name=fwd lane=exact:orders action=forward(node:x)  matched 0  errors 0\n");
        assertThat(run("rules", "remove", "--admin", admin, "tap")).isZero();
        assertThat(run("rules", "remove", "--admin", admin, "fwd")).isZero();
        assertThat(run("rules", "list", "--admin", admin)).isZero();
        assertThat(cli.out()).isEqualTo("no routing rules\n");
    }
}
