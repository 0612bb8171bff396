package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Call;
import dev.tether.NodeClosedException;
import dev.tether.TetherNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * After close, every method says the node is shut down (TetherNode, "Failure": argument errors throw at once, among
 * them {@link NodeClosedException}). Two did not: {@code callAny(h)}'s {@code tell}/{@code sync}/{@code request}
 * failed with {@code NoSuchHandlerException} ("no connected peer advertises handler"), sending the caller to look for
 * a missing handler, and {@code handleChannel} registered silently and returned a Registration, where {@code handle}
 * throws.
 */
class AfterCloseErrorsTest {
    @Test
    void callAnyAfterCloseFailsWithNodeClosed() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            c.start("b");
            TetherNode a = c.start("a");
            a.close();
            assertThat(failureOf(a, call -> call.request(utf8("x")))).isInstanceOf(NodeClosedException.class);
            assertThat(failureOf(a, call -> call.sync(utf8("x")))).isInstanceOf(NodeClosedException.class);
            assertThat(failureOf(a, call -> CompletableFuture.completedFuture(call.tell(utf8("x")))))
                    .isInstanceOf(NodeClosedException.class);
        }
    }

    /** What {@code use} of {@code a.callAny("h")} fails with: thrown at once or through its future (null: none). */
    private static Throwable failureOf(TetherNode a, Function<Call, CompletableFuture<?>> use) throws Exception {
        try {
            use.apply(a.callAny("h")).get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (NodeClosedException e) {
            return e;
        }
    }

    @Test
    void handleChannelAfterCloseThrowsNodeClosed() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            a.close();
            assertThatThrownBy(() -> a.handleChannel("news", d -> {})).isInstanceOf(NodeClosedException.class);
        }
    }
}
