package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.OutboundState;
import dev.tether.spi.PeerProof;
import dev.tether.spi.StoredState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who a node admits, on which proof, and whom it accepts sends to. */
class AdmissionTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId STRANGER = NodeId.of("stranger");
    private static final StoredState EMPTY = new StoredState(1, List.of(), List.of(), Map.of());

    @Test
    void configuredPeersNeedNoProofOthersNeedOne() {
        Admission adm = new Admission(A, Set.of(B), List.of(), false, EMPTY);
        assertThat(adm.admit(B, PeerProof.NONE)).isNull();
        assertThat(adm.admit(STRANGER, PeerProof.NONE))
                .isEqualTo("stranger is not a configured or added peer of a, and nothing proved its identity (plain"
                        + " TCP): configure or add it, use TLS or a pre-shared key, or, for loopback development only,"
                        + " set insecureAdmitUnprovenPeers");
        assertThat(adm.admit(STRANGER, PeerProof.MEMBERSHIP)).isNull();
        assertThat(adm.admit(STRANGER, PeerProof.IDENTITY)).isNull();
        assertThat(adm.admit(A, PeerProof.IDENTITY)).contains("claims this node's own id a");
        assertThat(adm.isKnown(B)).isTrue();
        assertThat(adm.isKnown(STRANGER)).isFalse();
    }

    @Test
    void theAllowListBindsEveryPeerButConfiguredAndAddedOnes() {
        Admission adm = new Admission(A, Set.of(B), List.of("w-*", "*.eu", "exact"), false, EMPTY);
        assertThat(adm.admit(NodeId.of("w-1"), PeerProof.IDENTITY)).isNull();
        assertThat(adm.admit(NodeId.of("db.eu"), PeerProof.IDENTITY)).isNull();
        assertThat(adm.admit(NodeId.of("exact"), PeerProof.IDENTITY)).isNull();
        assertThat(adm.admit(NodeId.of("exactly"), PeerProof.IDENTITY))
                .isEqualTo("exactly is not a configured or added peer of a and matches none of its allowedPeers"
                        + " [w-*, *.eu, exact]");
        assertThat(adm.admit(NodeId.of("w"), PeerProof.IDENTITY)).isNotNull();
        assertThat(adm.admit(B, PeerProof.NONE)).as("configured").isNull();
        assertThat(adm.mayDiscover(NodeId.of("w-2"))).isTrue();
        assertThat(adm.mayDiscover(NodeId.of("x"))).isFalse();
        adm.added(NodeId.of("x"));
        assertThat(adm.admit(NodeId.of("x"), PeerProof.NONE)).as("added").isNull();
        assertThat(adm.mayDiscover(NodeId.of("x"))).isTrue();
    }

    @Test
    void globsMatchWholeIds() {
        assertThat(Glob.matches("*", "anything")).isTrue();
        assertThat(Glob.matches("a*b*c", "aXXbYc")).isTrue();
        assertThat(Glob.matches("a*b*c", "aXXbYcd")).isFalse();
        assertThat(Glob.matches("**x", "x")).isTrue();
        assertThat(Glob.matches("x*", "")).isFalse();
    }

    @Test
    void storedStateVouchesForAPeerWithoutProofButNotAgainstTheAllowList() {
        StoredState state = new StoredState(
                1,
                List.of(new OutboundState(NodeId.of("out"), "l", 3, 1)),
                List.of(new InboundCursor(NodeId.of("in"), "l", 9, 2)),
                Map.of(NodeId.of("epoch"), 5L));
        Admission open = new Admission(A, Set.of(), List.of(), false, state);
        for (String id : List.of("out", "in", "epoch")) {
            assertThat(open.admit(NodeId.of(id), PeerProof.NONE)).as(id).isNull();
            assertThat(open.isKnown(NodeId.of(id))).as(id).isTrue();
        }
        Admission restricted = new Admission(A, Set.of(), List.of("in"), false, state);
        assertThat(restricted.admit(NodeId.of("out"), PeerProof.NONE)).contains("matches none of its allowedPeers");
        assertThat(restricted.admit(NodeId.of("in"), PeerProof.NONE)).isNull();
    }

    @Test
    void removalRefusesEvenConfiguredPeersUntilTheyAreAddedAgain() {
        Admission adm = new Admission(A, Set.of(B), List.of(), true, EMPTY);
        adm.removed(B);
        assertThat(adm.admit(B, PeerProof.IDENTITY)).contains("b was removed from a (removePeer)");
        assertThat(adm.isKnown(B)).isFalse();
        assertThat(adm.mayDiscover(B)).isFalse();
        adm.publish(B);
        assertThat(adm.isKnown(B)).as("a removed peer is not published").isFalse();
        adm.added(B);
        adm.publish(B);
        assertThat(adm.admit(B, PeerProof.NONE)).isNull();
        assertThat(adm.isKnown(B)).isTrue();
    }

    @Test
    void theInsecureSettingAdmitsUnprovenPeersWithinTheAllowList() {
        Admission adm = new Admission(A, Set.of(), List.of("dev-*"), true, EMPTY);
        assertThat(adm.admit(NodeId.of("dev-1"), PeerProof.NONE)).isNull();
        assertThat(adm.admit(NodeId.of("prod-1"), PeerProof.NONE)).contains("matches none");
    }

    @Test
    void aPeerConnectedOnceIsVouchedForAfterwards() {
        Admission adm = new Admission(A, Set.of(), List.of(), false, EMPTY);
        NodeId c = NodeId.of("c");
        assertThat(adm.admit(c, PeerProof.MEMBERSHIP)).isNull();
        adm.connected(c);
        assertThat(adm.isKnown(c)).isTrue();
        assertThat(adm.admit(c, PeerProof.NONE))
                .as("known now, as after a restart")
                .isNull();
    }
}
