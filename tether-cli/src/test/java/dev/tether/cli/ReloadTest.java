package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.StoreException;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A reload checks every new peer before it changes anything, and when the node still fails to take a change after
 * others were made it says what was applied, and follows what was applied, so that reloading again fixes it.
 */
class ReloadTest {
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");

    @TempDir
    Path dir;

    private final TetherNode real = Tether.start(TetherConfig.builder(NodeId.of("a"))
            .peers(B)
            .transport(new InMemoryNetwork().newTransport())
            .store(new InMemoryStore())
            .durability(Durability.MEMORY)
            .build());

    /** The peer whose addition fails, and why; null: none fails. */
    private final AtomicReference<NodeId> failing = new AtomicReference<>();

    private final TetherNode node = (TetherNode) Proxy.newProxyInstance(
            TetherNode.class.getClassLoader(), new Class<?>[] {TetherNode.class}, (proxy, m, args) -> {
                if (m.getName().equals("addPeer") && args[0].equals(failing.get())) {
                    throw new StoreException("the store is full");
                }
                try {
                    return m.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    @AfterEach
    void stop() {
        real.close();
    }

    private NodeControl control(Path config, NodeControl.ReloadRules rules) {
        return new NodeControl(
                node, config, List.of(new PeerSpec(B, null, null)), false, true, NodeControl.ReadyPeers.NONE, rules);
    }

    private List<NodeId> peers() {
        return real.peers().stream().map(PeerInfo::id).sorted().toList();
    }

    @Test
    void aPeerTheTransportsCannotTakeIsRefusedBeforeAnythingChanges() throws IOException {
        Path config = Files.writeString(dir.resolve("a.properties"), "peer=b\n");
        NodeControl control = control(
                config,
                new NodeControl.ReloadRules(
                        null, p -> p.socket() != null ? p.id() + " is a Unix domain socket peer" : null));
        Files.writeString(config, "peer=c,d=unix:/tmp/d.sock\n");
        assertThatThrownBy(control::reload)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("peer: d is a Unix domain socket peer");
        assertThat(peers()).containsExactly(B);
        Files.writeString(config, "peer=c\n");
        assertThat(control.reload()).contains(": peers added [c]; peers removed [b] (");
        assertThat(peers()).containsExactly(C);
    }

    @Test
    void aFailureAfterSomeChangesSaysWhatWasAppliedAndAReloadAgainFixesIt() throws IOException {
        Path config = Files.writeString(dir.resolve("a.properties"), "peer=b\n");
        NodeControl control = control(config, NodeControl.ReloadRules.NONE);
        failing.set(D);
        Files.writeString(config, "peer=c,d\n");
        assertThatThrownBy(control::reload)
                .isInstanceOf(NodeControl.PartlyApplied.class)
                .hasMessage("reload of " + config + " failed part-way: adding peer d failed: the store is full;"
                        + " applied before: peers added [c]; peers removed [b]; the node's configured peers are now"
                        + " [c] (reload again to retry)");
        assertThat(peers()).containsExactly(C);

        failing.set(null);
        assertThat(control.reload()).as("what was not applied is applied now").contains(": peers added [d] (");
        Files.writeString(config, "peer=b\n");
        assertThat(control.reload()).contains(": peers added [b]; peers removed [c, d] (");
        assertThat(peers()).containsExactly(B);
    }

    @Test
    void theTransportRulesOfTheCommandLineApplyToAReloadsPeers() {
        assertThat(refusal("b=127.0.0.1:7002", "--id", "a", "--nats", "nats://127.0.0.1:4222"))
                .isEqualTo("b=127.0.0.1:7002 is a TCP address, and this node's transports are [nats] (NATS peers"
                        + " are given as ids only)");
        assertThat(refusal("b=unix:/tmp/b.sock", "--id", "a"))
                .isEqualTo("b=unix:/tmp/b.sock is a Unix domain socket, and this node's transports are [tcp]"
                        + " (unix: peers need --uds)");
        assertThat(refusal("b=127.0.0.1:7002", "--id", "a")).isNull();
        assertThat(refusal("b", "--id", "a", "--nats", "nats://127.0.0.1:4222")).isNull();
        assertThat(refusal("b=127.0.0.1:7002", "--id", "a", "--transports", "uds,nats", "--uds", "/tmp/a.sock"))
                .startsWith("b=127.0.0.1:7002 is a TCP address, and this node's transports are [uds, nats]");
    }

    private static String refusal(String peer, String... args) {
        CommandLine node = new CommandLine(new NodeCommand());
        node.parseArgs(args);
        NodeOptions o = (NodeOptions) node.getCommandSpec().mixins().get("node").userObject();
        return TransportFactory.peerRefusal(o, new PeerSpec.Converter().convert(peer));
    }
}
