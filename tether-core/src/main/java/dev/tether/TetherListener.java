package dev.tether;

/**
 * Receives a node's {@link TetherEvent}s, in the order they happened, on one node thread. It must return
 * quickly and must not block; an exception it throws, or an {@link AssertionError}, {@link LinkageError} or {@link
 * StackOverflowError}, is counted in {@link NodeStats#listenerErrors()} and changes nothing else (other errors, such
 * as {@link OutOfMemoryError}, are not caught).
 */
@FunctionalInterface
public interface TetherListener {
    /** Ignores every event. */
    TetherListener NONE = event -> {};

    /** Called on the node thread for each event, in order; must not block. */
    void onEvent(TetherEvent event);
}
