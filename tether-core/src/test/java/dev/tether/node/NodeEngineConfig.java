package dev.tether.node;

import dev.tether.internal.engine.EngineConfig;

/**
 * For engine tests in other packages: the engine settings a node built from a public configuration runs with,
 * exactly as {@link Tether#start} derives them.
 */
public final class NodeEngineConfig {
    private NodeEngineConfig() {}

    /** The engine settings of {@code config}, with delivery runs of up to {@code maxRun} messages. */
    @SuppressWarnings("exports") // test code only: no client of the module sees this class
    public static EngineConfig of(TetherConfig config, int maxRun) {
        return config.settings().engineConfig(maxRun);
    }
}
