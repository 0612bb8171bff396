package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Closer;
import dev.tether.testkit.process.ChildJvm;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tether node --endpoint} (and {@code endpoint=} in a {@code --config} file): the daemon comes up with the
 * endpoints and handles their messages as its own (printed with {@code --print}); a bad name is a usage error and no
 * node starts.
 */
class EndpointNodeOptionsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final InProcessCli cli = new InProcessCli();
    private final Closer open = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        open.close();
    }

    @Test
    void namesComeFromTheOptionRepeatedOrSplitAndFromAConfigFile() {
        assertThat(parse("--endpoint", "inbox", "--endpoint", "orders,audit").endpoints)
                .containsExactly("inbox", "orders", "audit");
        Properties p = new Properties();
        p.setProperty("endpoint", "inbox,orders");
        EndpointNodeOptions o = new EndpointNodeOptions();
        new CommandLine(o)
                .setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(p))
                .parseArgs();
        assertThat(o.endpoints).containsExactly("inbox", "orders");
        assertThat(parse().endpoints).isEmpty();
    }

    @Test
    void aBadNameIsAUsageErrorNamingItAndNoNodeStarts() throws Exception {
        cli.assertNodeRefuses(dir, "invalid agent name 'bad name'", "--endpoint", "bad name");
        cli.assertNodeRefuses(dir, "starts with '_', which is reserved", "--endpoint", "_sys");
        cli.assertNodeRefuses(dir, "invalid agent name 'a.b'", "--endpoint", "inbox,a.b");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no store file left").isEmpty();
        }
    }

    @Test
    void theOptionsDeclareEndpointsHandledByTheGivenHandler() throws Exception {
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("a"))
                .transport(new dev.tether.transport.memory.InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> {});
        parse("--endpoint", "inbox").apply(b, d -> got.add(d.lane()));
        TetherNode a = Tether.start(b.build());
        open.add(a);
        Bus bus = Tether.bus(a);
        assertThat(bus.endpoints()).containsExactly(Address.parse("a/inbox"));
        assertThat(bus.send(Address.parse("a/inbox"), new byte[] {1})
                        .processed()
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(got).containsExactly("_a.inbox");
    }

    /** The daemon as a real process, its endpoints from a {@code --config} file, reached over TCP from a node here. */
    @Test
    void theDaemonComesUpWithItsConfiguredEndpointsAndPrintsTheirMessages() throws Exception {
        Path config = Files.writeString(dir.resolve("b.properties"), "endpoint=inbox,orders\n");
        String[] ready = new String[1];
        ChildJvm b = CliProcess.node(
                "endpoints-b",
                ready,
                "--id",
                "b",
                "--listen",
                "127.0.0.1:0",
                "--peer",
                "a",
                "--store-dir",
                dir.toString(),
                "--config",
                config.toString(),
                "--print");
        open.add(b::close);
        assertThat(ready[0]).contains(" endpoints=inbox,orders");
        TetherNode a = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(TcpTransport.builder()
                        .peer(NodeId.of("b"), new InetSocketAddress("127.0.0.1", CliProcess.port(ready[0])))
                        .build())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> {})
                .build());
        open.add(a);
        Bus bus = Tether.bus(a);
        bus.awaitEndpoint(Address.parse("b/orders"), DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(bus.advertised(NodeId.of("b"))).containsExactly(Address.parse("b/inbox"), Address.parse("b/orders"));
        byte[] hello = "hello inbox".getBytes(StandardCharsets.UTF_8);
        assertThat(bus.send(Address.parse("b/inbox"), hello).processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        b.awaitLine(l -> l.equals("a _a.inbox #1: hello inbox"), CliProcess.TIMEOUT);
    }

    private static EndpointNodeOptions parse(String... args) {
        EndpointNodeOptions o = new EndpointNodeOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }
}
