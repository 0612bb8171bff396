package dev.tether.internal.runtime;

/** Work a pattern layer runs on the node thread ({@link NodeRuntime#post}); {@code now} is the turn's time in ms. */
@FunctionalInterface
public interface NodeTask {
    /** Runs on the node thread. */
    void run(long now);
}
