package dev.tether;

/**
 * Volatile messages waiting for their receivers' acknowledgment already hold the node's limit of memory ({@code
 * TetherConfig.Builder.maxVolatileBytes}); nothing was sent. Volatile messages live in memory only, so this limit,
 * not the store, bounds them: wait for outstanding volatile calls to complete, or send durably.
 */
public class VolatileQueueFullException extends QueueFullException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the limit and the bytes held. */
    public VolatileQueueFullException(String message) {
        super(message);
    }
}
