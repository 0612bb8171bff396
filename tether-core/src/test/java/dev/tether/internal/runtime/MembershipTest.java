package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.StreamLimits;
import dev.tether.spi.StoredState;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Membership calls that need the node thread, made after its loop has ended. */
class MembershipTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    /**
     * A call that lost the race with shutdown (it passed the node's {@code closing} check, then the loop ended
     * before its command ran) is refused at once with {@link NodeClosedException}, not left waiting 10 s for an
     * answer that never comes and then failed with a plain {@code TetherException}.
     */
    @Test
    void aCallPostedAfterTheLoopEndedIsRefusedWithNodeClosed() {
        StoredState empty = new StoredState(1, List.of(), List.of(), Map.of());
        NodeLoop loop = new NodeLoop(
                Clock.systemUTC(),
                null,
                e -> {},
                new AtomicLong(),
                new SendRooms(empty, k -> StreamLimits.maxMessages(1)));
        loop.halt(); // before start: the loop ends at once, without running anything
        loop.start(null, "membership-test-loop");
        loop.ended().orTimeout(10, TimeUnit.SECONDS).join();
        Admission admission = new Admission(A, Set.of(B), List.of(), false, empty);
        Membership membership = new Membership(A, admission, loop, null, Clock.systemUTC()); // no transport needed

        assertThatThrownBy(membership::peers)
                .isInstanceOf(NodeClosedException.class)
                .hasMessageContaining("node a is shut down")
                .hasMessageContaining("listing peers");
        assertThatThrownBy(() -> membership.remove(B))
                .isInstanceOf(NodeClosedException.class)
                .hasMessageContaining("removing peer b");
    }
}
