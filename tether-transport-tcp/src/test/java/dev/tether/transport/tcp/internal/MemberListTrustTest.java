package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whose word a member list is taken on (docs/TCP.md, "Seeds and member lists"): a peer speaks for its own addresses;
 * another peer's entry is taken only for a member this node knows nothing of. So a peer cannot redirect this node's
 * dials of a configured, added or already learnt member to an address of its choosing.
 */
class MemberListTrustTest {
    private static final NodeId SELF = NodeId.of("a");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId M = NodeId.of("m");
    private static final NodeId Z = NodeId.of("z");

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Map<NodeId, List<String>> discovered = new ConcurrentHashMap<>();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void aThirdPartysEntryIsTakenOnlyForAnUnknownMemberAndAMemberSpeaksForItself() {
        MemberExchange exchange = new MemberExchange(SELF, List::of, timers, Duration.ofHours(1));
        exchange.knownPeers(Set.of(C)::contains); // c is configured
        exchange.attach(recording());
        Connection fromM = connection(M);
        Connection fromZ = connection(Z);

        receive(exchange, fromM, List.of(entry(C, "10.6.6.6:1"), entry(Z, "10.0.0.26:7001")));
        assertThat(discovered).as("what m's list taught").containsOnlyKeys(Z);
        assertThat(discovered.get(Z)).containsExactly("10.0.0.26:7001");

        receive(exchange, fromM, List.of(entry(Z, "10.6.6.6:1")));
        assertThat(discovered.get(Z))
                .as("m's word again, on a member now known")
                .containsExactly("10.0.0.26:7001");

        exchange.received(fromZ, body(entry(Z, "10.0.0.27:7001"), List.of()), List.of(fromM, fromZ));
        assertThat(discovered.get(Z)).as("z's own word").containsExactly("10.0.0.27:7001");
        assertThat(discovered).doesNotContainKey(C);
    }

    private static Connection connection(NodeId peer) {
        Connection c = new Connection(new EmbeddedChannel(), false, null, null);
        c.peer = peer;
        return c;
    }

    private static Members.Entry entry(NodeId id, String address) {
        return new Members.Entry(id, List.of(address));
    }

    private static void receive(MemberExchange exchange, Connection from, List<Members.Entry> members) {
        exchange.received(from, body(new Members.Entry(from.peer, List.of()), members), List.of(from));
    }

    private static byte[] body(Members.Entry self, List<Members.Entry> members) {
        List<byte[]> bodies = Members.encode(self, members);
        assertThat(bodies).hasSize(1);
        return bodies.get(0);
    }

    private Discovery.Listener recording() {
        return new Discovery.Listener() {
            @Override
            public void onDiscovered(NodeId member, List<String> addresses) {
                discovered.put(member, addresses);
            }

            @Override
            public void onLost(NodeId member) {
                throw new AssertionError("lost " + member);
            }

            @Override
            public void onInvalid(NodeId source, String reason) {
                throw new AssertionError("invalid from " + source + ": " + reason);
            }
        };
    }
}
