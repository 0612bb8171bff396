package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes one test started, each redialing quickly (20 ms up to a given maximum); after the test all are closed and
 * every node's listener rules checked. One test thread.
 */
final class RecordingNodes {
    private final List<RecordingNode> nodes = new ArrayList<>();
    private final Duration maxRedial;

    RecordingNodes(Duration maxRedial) {
        this.maxRedial = maxRedial;
    }

    /** Starts node {@code id} on {@code builder}'s transport, with the quick redials. */
    RecordingNode start(String id, TcpTransport.Builder builder) {
        RecordingNode node = RecordingNode.start(
                id, builder.reconnect(Duration.ofMillis(20), maxRedial).build());
        nodes.add(node);
        return node;
    }

    /** Closes every node, then checks that none saw its listener rules broken. */
    void closeAndCheckRules() {
        nodes.forEach(RecordingNode::close);
        for (RecordingNode n : nodes)
            assertThat(n.listener.violations()).as("rules at " + n.id).isEmpty();
    }
}
