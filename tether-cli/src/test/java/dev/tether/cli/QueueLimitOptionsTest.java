package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.DeadLetterLimits;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OverflowPolicy;
import dev.tether.QueueFullException;
import dev.tether.StreamLimits;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Closer;
import dev.tether.transport.memory.InMemoryNetwork;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The queue bounds a node command takes ({@code --dead-letters-*}, {@code --stream-limit}): parsed into the
 * configuration, refused with the option named when out of range, and the overflow counts they cause shown by
 * {@code tether stats}.
 */
class QueueLimitOptionsTest {
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    private final InProcessCli cli = new InProcessCli();
    private final Closer open = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        open.close();
    }

    @Test
    void theOptionsGivenReplaceTheDefaultsAndTheRestStay() {
        TetherConfig c = configured(
                "--dead-letters-max-count", "5",
                "--dead-letters-when-full", "refuse",
                "--stream-limit", "b,orders,2",
                "--stream-limit", "*,audit*,10,drop-newest",
                "--stream-limit", "c*,*,7,block:1.5s");
        DeadLetterLimits d = c.deadLetters();
        assertThat(d.maxCount()).isEqualTo(5);
        assertThat(d.whenFull()).isEqualTo(DeadLetterLimits.WhenFull.REFUSE);
        assertThat(d.maxBytes()).isEqualTo(DeadLetterLimits.DEFAULT.maxBytes());
        assertThat(d.maxAge()).isEqualTo(DeadLetterLimits.DEFAULT.maxAge());
        assertThat(configured().deadLetters()).isEqualTo(DeadLetterLimits.DEFAULT);

        List<QueueLimitOptions.StreamLimitSpec> specs = parse(
                        "--stream-limit", "*,audit*,10,drop-newest",
                        "--stream-limit", "c*,*,7,block:1.5s",
                        "--stream-limit", "b,metrics,3,Drop-Oldest")
                .streamLimits;
        assertThat(specs.get(0).limits()).isEqualTo(StreamLimits.maxMessages(10).policy(OverflowPolicy.DROP_NEWEST));
        assertThat(specs.get(1).peer()).isEqualTo("c*");
        assertThat(specs.get(1).limits().policy()).isEqualTo(OverflowPolicy.block(Duration.ofMillis(1500)));
        assertThat(specs.get(2).limits()).isEqualTo(StreamLimits.maxMessages(3).policy(OverflowPolicy.DROP_OLDEST));

        List<QueueLimitOptions.EndpointLimitSpec> endpoints =
                parse("--endpoint-limit", "b/worker-*,1000,block:2s", "--endpoint-limit", "*/audit,5").endpointLimits;
        assertThat(endpoints.get(0).address()).isEqualTo("b/worker-*");
        assertThat(endpoints.get(0).limits())
                .isEqualTo(StreamLimits.maxMessages(1000).policy(OverflowPolicy.block(Duration.ofSeconds(2))));
        assertThat(endpoints.get(1).limits())
                .isEqualTo(StreamLimits.maxMessages(5).policy(OverflowPolicy.REJECT));
        configured("--endpoint-limit", "b/worker-*,1000,drop-oldest"); // the builder takes it
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheOptionAndNoNodeStarts() throws Exception {
        assertUsageError("'orders' is not PEER,LANE,MAX[,POLICY]", "--stream-limit", "orders");
        assertUsageError("MAX 'lots' is not a number", "--stream-limit", "b,orders,lots");
        assertUsageError("MAX must be >= 1", "--stream-limit", "b,orders,0");
        assertUsageError(
                "POLICY 'sometimes' is not reject, drop-newest, drop-oldest", "--stream-limit", "b,orders,5,sometimes");
        assertUsageError("deadLetters maxCount must be between 1 and", "--dead-letters-max-count", "0");
        assertUsageError("'sometimes' is not drop-oldest or refuse", "--dead-letters-when-full", "sometimes");
        assertUsageError("invalid lane pattern 'ord ers'", "--stream-limit", "b,ord ers,5");
        assertUsageError("invalid peer pattern 'b/x'", "--stream-limit", "b/x,orders,5");
        assertUsageError("would match only reserved lanes", "--stream-limit", "*,_r*,5");
        assertUsageError("'b/bob' is not NODE/AGENT,MAX[,POLICY]", "--endpoint-limit", "b/bob");
        assertUsageError("MAX 'many' is not a number", "--endpoint-limit", "b/bob,many");
        assertUsageError("endpoint limits need an address pattern NODE/AGENT", "--endpoint-limit", "bob,5");
        assertUsageError("invalid agent pattern 'bo.b'", "--endpoint-limit", "b/bo.b,5,drop-newest");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no store file left").isEmpty();
        }
    }

    @Test
    void statsShowTheRejectionsOfAFullStreamAndTheDeadLetterBounds() throws Exception {
        InMemoryNetwork net = new InMemoryNetwork();
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("a"))
                .peers(List.of(B)) // never started: the stream to it only fills
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> {});
        parse("--stream-limit", "b,orders,2", "--dead-letters-max-count", "5").apply(b);
        TetherNode a = Tether.start(b.build());
        open.add(a);
        a.send(B, "orders", new byte[] {1});
        a.send(B, "orders", new byte[] {2});
        assertThatThrownBy(() -> a.send(B, "orders", new byte[] {3})).isInstanceOf(QueueFullException.class);
        AdminServer admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), a, 1 << 20);
        open.add(admin);
        String at = HostPort.format(admin.address());

        assertThat(run("stats", "--admin", at)).isZero();
        assertThat(out())
                .contains("  sends over a stream limit: rejected 1, dropped 0, waiting for room now 0\n")
                .contains("  publishes over a channel log's limit: rejected 0, waiting for room now 0\n")
                .contains("  history: 0 entries held, 0 recorded since start\n")
                .contains("dead letters 0 of 5,")
                .containsPattern("out  b +orders .* ok rejected=1\n");
        assertThat(run("stats", "--admin", at, "--json")).isZero();
        assertThat(out())
                .contains("\"lane\":\"orders\"", "\"rejected\":1,\"dropped\":0,\"blockedSends\":0")
                .contains("\"publishesRejected\":0,\"blockedPublishes\":0,\"historyRecorded\":0,\"historyEntries\":0");
    }

    private TetherConfig configured(String... args) {
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("a"))
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> {});
        parse(args).apply(b);
        return b.build();
    }

    private static QueueLimitOptions parse(String... args) {
        QueueLimitOptions o = new QueueLimitOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    private void assertUsageError(String message, String... options) {
        cli.assertNodeRefuses(dir, message, options);
    }

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return cli.out();
    }

    private String err() {
        return cli.err();
    }
}
