package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kicks are crash-safe: a node that stored a kick (the ban) and then crashed before anything after it was stored (the
 * purge, the removal of the peer, the tells) does all of that at its next start, from the stored ban. The crash is
 * exact: the store fails every commit after the one with the ban, then the node is killed.
 */
class KickCrashTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final String CH = "news";

    /** Commits nothing after the first batch that stores a key of {@code namespace}, as a node killed right after it. */
    private static final class CrashAfterKey extends ForwardingStore {
        final CountDownLatch stored = new CountDownLatch(1);
        private final InMemoryStore store;
        private final String namespace;

        CrashAfterKey(InMemoryStore store, String namespace) {
            super(store);
            this.store = store;
            this.namespace = namespace;
        }

        @Override
        public void commit(WriteBatch batch) {
            super.commit(batch);
            if (batch.keyWrites().stream().anyMatch(w -> w.namespace().equals(namespace) && !w.isDelete())) {
                store.failNextCommits(Integer.MAX_VALUE);
                stored.countDown();
            }
        }
    }

    @Test
    void aClusterKickCutShortAfterItsBanIsDoneAtTheNextStart() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            c.start("a");
            TetherNode b = c.start("b");
            c.start("c");
            c.crash("c");
            CrashAfterKey crashing = new CrashAfterKey(restart(c, "a"), "_kick");
            TetherNode a = c.start("a", x -> x.store(crashing));
            a.send(C, utf8("d1")).accepted().get(10, TimeUnit.SECONDS);

            CompletableFuture.runAsync(() -> Tether.management(a).kick(C)).exceptionally(e -> null);
            assertThat(crashing.stored.await(30, TimeUnit.SECONDS)).isTrue();
            c.kill("a");

            TetherNode again = c.start("a");
            Await.until(
                    DEADLINE,
                    () -> !known(again, C)
                            && c.store("a").readOutbox(C, "default", 0, 10).isEmpty(),
                    () -> "a to remove c and purge its outbox: " + again.peers());
            assertThat(Tether.management(again).topology().kicked()).containsExactly(C);
            Await.until(
                    DEADLINE,
                    () -> Tether.management(b).topology().kicked().contains(C) && !known(b, C),
                    () -> "b to be told of the kick: " + c.events("b"));
        }
    }

    @Test
    void aChannelKickCutShortAfterItsBanIsToldAtTheNextStart() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            c.start("a");
            TetherNode b = c.start("b");
            c.start("c").join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            b.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            CrashAfterKey crashing = new CrashAfterKey(restart(c, "a"), "_chkick");
            TetherNode a = c.start("a", x -> x.store(crashing));

            CompletableFuture.runAsync(() -> Tether.management(a).kick(B, CH)).exceptionally(e -> null);
            assertThat(crashing.stored.await(30, TimeUnit.SECONDS)).isTrue();
            c.kill("a");
            c.start("a");
            Await.until(
                    DEADLINE,
                    () -> c.events("c").contains(new TetherEvent.ChannelMemberKicked(CH, B, A, 0))
                            && c.events("b").contains(new TetherEvent.ChannelKicked(CH, A)),
                    () -> "c and b to be told of the kick: c " + c.events("c") + ", b " + c.events("b"));
            assertThat(Tether.management(c.node("c")).subscribers(CH)).isEmpty();
        }
    }

    /** Stops {@code name} cleanly and returns its store, to be wrapped by the next start. */
    private static InMemoryStore restart(Cluster c, String name) {
        c.crash(name);
        return c.store(name);
    }

    private static boolean known(TetherNode n, NodeId peer) {
        return n.peers().stream().map(PeerInfo::id).anyMatch(peer::equals);
    }
}
