package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.node.TetherConfig;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The endpoint tests' {@link EndpointNodes}, as a JUnit extension ({@code @RegisterExtension}): one seed per test
 * class ({@code -Dtether.seed=N} replays it), printed with the test's name before each test, and the nodes a test
 * started closed after it, whatever its outcome.
 */
final class EndpointNodesFixture implements BeforeEachCallback, AfterEachCallback {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());

    private EndpointNodes started;

    /** The seed of this run, for the test's own random choices. */
    long seed() {
        return SEED;
    }

    /** Starts nodes a and b on {@code net}; closed after the test. */
    EndpointNodes start(Net net) {
        return start(net, (id, b) -> {});
    }

    /** Starts nodes a and b on {@code net}, their configurations added to by {@code configure}; closed after the test. */
    EndpointNodes start(Net net, BiConsumer<NodeId, TetherConfig.Builder> configure) {
        if (started != null) throw new IllegalStateException("this test started its nodes already");
        started = new EndpointNodes(net, SEED, configure);
        return started;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        System.out.println(context.getRequiredTestClass().getSimpleName() + "#" + context.getDisplayName() + " seed "
                + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        EndpointNodes n = started;
        started = null;
        if (n != null) n.close();
    }
}
