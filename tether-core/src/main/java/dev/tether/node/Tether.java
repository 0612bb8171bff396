package dev.tether.node;

import dev.tether.StoreException;
import dev.tether.TetherNode;
import dev.tether.internal.node.RealTetherNode;

/** Entry point: starts nodes. */
public final class Tether {
    private Tether() {}

    /**
     * Opens the store, starts the transport and returns the running node.
     *
     * @throws StoreException if the store cannot be opened
     */
    public static TetherNode start(TetherConfig config) {
        return RealTetherNode.start(config.settings(), config.namedHandlers(), config.codec(), config.events());
    }
}
