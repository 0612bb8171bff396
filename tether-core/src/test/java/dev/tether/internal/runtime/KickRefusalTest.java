package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.StoredState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The refusal of a node kicked from the cluster: sent by a node holding the kick, recognised by the kicked node. */
class KickRefusalTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final StoredState EMPTY = new StoredState(1, List.of(), List.of(), Map.of());

    @Test
    void aRemovedNodeUnderAKickIsRefusedNamingTheKickUntilReadmittedOrAdded() {
        Admission b = new Admission(B, Set.of(A, C), List.of(), false, EMPTY);
        b.clusterVerdict(new KickRefusal(C, B, A, 3), true);
        assertThat(b.admit(C, PeerProof.IDENTITY)).isNull(); // not removed yet: the verdict's follow-ups decide
        b.removed(C);
        assertThat(b.admit(C, PeerProof.IDENTITY))
                .isEqualTo("c was kicked from the cluster by a (generation 3); refused by b until readmitted"
                        + " (NodeManagement.readmit(c))");
        b.clusterVerdict(new KickRefusal(C, B, A, 4), false);
        assertThat(b.admit(C, PeerProof.IDENTITY)).startsWith("c was removed from b (removePeer)");
        b.clusterVerdict(new KickRefusal(C, B, A, 5), true);
        b.added(C);
        assertThat(b.admit(C, PeerProof.IDENTITY)).isNull();
    }

    @Test
    void theKickedNodeTakesTheRefusalOnlyAboutItselfFromThePeerThatRefused() {
        String reason = "refused by the peer: " + new KickRefusal(C, B, A, 3).reason();
        assertThat(KickRefusal.parse(C, "b", reason)).isEqualTo(new KickRefusal(C, B, A, 3));
        assertThat(KickRefusal.parse(C, "b at /127.0.0.1:4000", reason)).isEqualTo(new KickRefusal(C, B, A, 3));
        assertThat(KickRefusal.parse(C, "a at /127.0.0.1:4000", reason))
                .as("b names another refuser")
                .isNull();
        assertThat(KickRefusal.parse(C, "bb at /127.0.0.1:4000", reason)).isNull();
        assertThat(KickRefusal.parse(A, "b", reason)).as("about another node").isNull();
        assertThat(KickRefusal.parse(B, "c", new KickRefusal(C, B, A, 3).reason()))
                .as("the refusing end's own report")
                .isNull();
        assertThat(KickRefusal.parse(
                        C,
                        "b",
                        "refused by the peer: c was removed from b (removePeer); addPeer(c)" + " admits it again"))
                .as("a peer of an earlier version")
                .isNull();
        assertThat(KickRefusal.parse(C, "b", reason.replace("generation 3", "generation 99999999999999999999")))
                .isNull();
    }
}
