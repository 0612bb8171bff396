package dev.tether.node;

import dev.tether.StoreException;
import dev.tether.TetherNode;
import dev.tether.bus.Bus;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.management.NodeManagement;

/** Entry point: starts nodes. */
public final class Tether {
    private Tether() {}

    /**
     * Opens the store, starts the transport and returns the running node.
     *
     * @throws StoreException if the store cannot be opened
     */
    public static TetherNode start(TetherConfig config) {
        StartRegistrations r = config.registrations();
        return RealTetherNode.start(
                config.settings(),
                r.namedHandlers(),
                r.channelHandlers(),
                r.codec(),
                r.events(),
                r.rules(),
                r.endpoints());
    }

    /**
     * The management of {@code node} (docs/OPERATIONS.md, "Management"): topology, statistics, dead letters, the
     * outbox. The same object for every call on one node.
     *
     * @throws IllegalArgumentException if {@code node} was not started by {@link #start}
     */
    public static NodeManagement management(TetherNode node) {
        return started(node).management();
    }

    /**
     * The endpoints of {@code node} (docs/MESSAGING.md, "Endpoints"): many addressable agents sharing the node. The
     * same object for every call on one node.
     *
     * @throws IllegalArgumentException if {@code node} was not started by {@link #start}
     */
    public static Bus bus(TetherNode node) {
        return started(node).bus();
    }

    private static RealTetherNode started(TetherNode node) {
        if (node instanceof RealTetherNode r) return r;
        throw new IllegalArgumentException("not a node started by Tether.start: " + node
                + " (a wrapped node, such as a traced one, gives its node back: TetherTracing.unwrap)");
    }
}
