package dev.tether.testkit;

import dev.tether.TetherNode;
import dev.tether.internal.runtime.NodeRuntime;

/**
 * Crashes a node inside the test's own process, as a SIGKILL would crash its process: nothing further is
 * committed or sent, and its store and transport are released, so that a new node can open the same store (the
 * same SQLite file) at once. A test can thus crash a node at a precise point, for instance while its store
 * writer is blocked in a commit, without a child JVM. Tests that need the operating system's view of a crash
 * (locks released by a dying process, a write torn by the kill) still use real processes ({@code
 * dev.tether.testkit.process}).
 *
 * <p>Threading: call it from a test thread, never from a handler, listener or callback running on the node's
 * thread. It returns once the node has stopped; futures the node had not completed then fail with {@code
 * NodeClosedException}.
 */
public final class NodeCrash {
    private NodeCrash() {}

    /**
     * Crashes {@code node}, a node started by {@code Tether.start}: see the class comment.
     *
     * @throws IllegalArgumentException if {@code node} is not such a node
     * @throws IllegalStateException if called on the node's thread
     */
    public static void crash(TetherNode node) {
        if (!(node instanceof NodeRuntime runtime)) {
            throw new IllegalArgumentException(
                    "not a node started by Tether.start: " + node.getClass().getName());
        }
        runtime.crash();
    }
}
