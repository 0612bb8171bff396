package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A {@code --config} file may hold only the command's long options without dashes: a typo such as {@code peers=}
 * is refused naming the closest key, at start (exit 2) and at a reload (nothing changes), instead of being dropped.
 */
class ConfigFileTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static CommandLine.Model.CommandSpec nodeSpec() {
        return new CommandLine(new Main()).getSubcommands().get("node").getCommandSpec();
    }

    // The files below also hold an invalid window, so that a node without the check exits too instead of running.

    @Test
    void anUnknownKeyIsRefusedAtStartNamingTheClosestKey() throws IOException {
        Path conf = Files.writeString(dir.resolve("a.properties"), "id=a\npeers=b=127.0.0.1:7002\nwindow=0\n");
        assertThat(run("node", "--config", conf.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("tether: --config: unknown key 'peers' in " + conf + " (did you mean 'peer'?)");
    }

    @Test
    void aKeyLikeNoOptionNamesTheCommandsHelp() throws IOException {
        Path conf = Files.writeString(dir.resolve("a.properties"), "id=a\nfrobnicate=yes\nwindow=0\n");
        assertThat(run("node", "--config", conf.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("unknown key 'frobnicate' in " + conf
                        + " (the keys are the long options of 'tether node' without dashes: 'tether node --help'"
                        + " lists them)");
    }

    @Test
    void aMalformedEscapeIsRefusedNamingTheFile() throws IOException {
        Path conf = Files.writeString(dir.resolve("a.properties"), "id=a\\u00zz\n");
        assertThat(run("node", "--config", conf.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("tether: --config: cannot read " + conf + ": Malformed \\uxxxx encoding.");
    }

    /** Properties would take the last of two ids silently: a node with another id, and a new store. */
    @Test
    void aKeyGivenTwiceIsRefusedAtStart() throws IOException {
        Path conf = Files.writeString(dir.resolve("a.properties"), "id=g\nid=h\nwindow=0\n");
        assertThat(run("node", "--config", conf.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("tether: --config: cannot read " + conf + ": the key 'id' is given twice");
    }

    /** A reload applies the peers and the log level; it says which other keys changed and wait for a restart. */
    @Test
    void aReloadNamesTheChangedKeysThatNeedARestart() throws IOException {
        Path conf = Files.writeString(dir.resolve("a.properties"), "id=a\npeer=b\nlisten=127.0.0.1:7001\n");
        try (TetherNode node = startA()) {
            NodeControl control = reloading(node, conf);
            assertThat(control.reload()).endsWith(": no change");
            Files.writeString(conf, "id=zz\npeer=b\nlisten=127.0.0.1:7009\n");
            assertThat(control.reload())
                    .endsWith("no change; not applied, changed since the start and taken only at a restart: id,"
                            + " listen");
            Files.writeString(conf, "id=a\npeer=b\nlisten=127.0.0.1:7001\nid=zz\n");
            assertThatThrownBy(control::reload).hasMessageContaining("the key 'id' is given twice");
        }
    }

    @Test
    void everyLongOptionAndItsQualifiedFormAreKeys() {
        ConfigKeys keys = ConfigKeys.of(nodeSpec());
        java.util.Properties p = new java.util.Properties();
        for (CommandLine.Model.OptionSpec o : nodeSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp())
                p.setProperty(o.longestName().substring(2), "x");
        }
        p.setProperty("tether.node.peer", "b");
        keys.check(p, dir.resolve("a.properties")); // no exception
        assertThat(p.stringPropertyNames()).contains("peer", "log-level", "drain-timeout", "config");
    }

    @Test
    void aReloadWithAnUnknownKeyChangesNothing() throws IOException {
        Path conf = Files.writeString(dir.resolve("a.properties"), "peer=b\n");
        try (TetherNode node = startA()) {
            NodeControl control = reloading(node, conf);
            Files.writeString(conf, "peers=c\nlog-level=debug\n");
            assertThatThrownBy(control::reload)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--config: unknown key 'peers' in " + conf + " (did you mean 'peer'?)");
            assertThat(node.peers()).extracting(PeerInfo::id).containsExactly(NodeId.of("b"));
            assertThat(CliLog.level()).isNotEqualTo(CliLog.LogLevel.DEBUG);
        }
    }

    /** Node a on an in-memory network, its configured peer b. */
    private static TetherNode startA() {
        return Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build());
    }

    /** What {@code tether node --config conf} reloads for {@code node}. */
    private static NodeControl reloading(TetherNode node, Path conf) {
        return new NodeControl(
                node,
                conf,
                List.of(new PeerSpec(NodeId.of("b"), null, null)),
                false,
                false,
                NodeControl.ReadyPeers.NONE,
                new NodeControl.ReloadRules(ConfigKeys.of(nodeSpec()), p -> null));
    }
}
