package dev.tether;

/**
 * A handler registered with {@link TetherNode#handle}. {@link #close()} removes it: no call is started on it after
 * {@code close} returns, calls already started finish (and their replies are sent), and later calls of the name
 * get {@link NoSuchHandlerException} ({@link Outcome#NO_SUCH_HANDLER} for a tell) unless they wait for a handler.
 * Thread-safe; closing twice does nothing.
 */
public interface Registration extends AutoCloseable {
    /** The handler name. */
    String name();

    /** Whether the handler is still registered (not closed, and the node not shut down). */
    boolean isActive();

    /** Removes the handler; see the class comment. */
    @Override
    void close();
}
