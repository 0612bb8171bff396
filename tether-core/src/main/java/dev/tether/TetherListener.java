package dev.tether;

/**
 * Receives a node's {@link TetherEvent}s, in the order they happened, on one node thread. It must return
 * quickly and must not block. Anything it throws, an exception or an {@link Error} (an {@link AssertionError}, an
 * application's own Error, a {@link StackOverflowError}), is the listener's bug: counted in {@link
 * NodeStats#listenerErrors()}, logged (the 1st, 2nd, 4th, 8th... time) and changes nothing else. Only a {@link
 * VirtualMachineError} such as {@link OutOfMemoryError} ends the node thread: then the node logs why and closes
 * itself, as {@link TetherNode#shutdown} with no wait would (its peers see it go; its sends fail with {@link
 * NodeClosedException}, whose cause is that error).
 */
@FunctionalInterface
public interface TetherListener {
    /** Ignores every event. */
    TetherListener NONE = event -> {};

    /** Called on the node thread for each event, in order; must not block. */
    void onEvent(TetherEvent event);
}
