package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code callAny}'s choice: the connected peer advertising the handler with the fewest outstanding calls, ties round robin. */
class PeerHandlersPickTest {
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");

    private final PeerHandlers peers = new PeerHandlers();
    private final Map<NodeId, Integer> load = new HashMap<>();

    private void advertising(NodeId id, String... handlers) {
        peers.apply(new Advertisement(id, "1", 1, 1, List.of(handlers), List.of()));
        peers.reconnected(id);
        peers.apply(new Advertisement(id, "1", 1, 2, List.of(handlers), List.of()));
    }

    private List<NodeId> picks(int n) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(peers.pick("work", p -> load.getOrDefault(p, 0)));
        return out;
    }

    @Test
    void equalLoadsGoRoundRobinInIdOrder() {
        advertising(C, "work");
        advertising(B, "work");
        advertising(D, "other");
        assertThat(picks(4)).containsExactly(B, C, B, C);
    }

    @Test
    void theLeastLoadedIsPickedAndTiesAmongThemGoRoundRobin() {
        advertising(B, "work");
        advertising(C, "work");
        advertising(D, "work");
        load.put(B, 3);
        load.put(C, 1);
        load.put(D, 1);
        assertThat(picks(4)).containsExactly(C, D, C, D);
        load.put(D, 2);
        assertThat(picks(2)).containsExactly(C, C);
        load.put(C, 5);
        assertThat(picks(1)).containsExactly(D);
    }

    @Test
    void aDisconnectedPeerIsNotPickedWhateverItsLoad() {
        advertising(B, "work");
        advertising(C, "work");
        load.put(C, 7);
        peers.disconnected(B);
        assertThat(picks(2)).containsExactly(C, C);
        peers.disconnected(C);
        assertThat(peers.pick("work", p -> 0)).isNull();
    }
}
