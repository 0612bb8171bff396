package dev.tether;

/**
 * The message was dropped by its stream's overflow policy before it was stored: by {@link OverflowPolicy#DROP_NEWEST}
 * (the stream was full), or by {@link OverflowPolicy#DROP_OLDEST} while it was waiting for its store batch (a newer
 * message took its room). Nothing was stored, and the message's {@code processed()} completes with {@link
 * Outcome#DROPPED}. The failure of its receipt's {@code accepted()}; never thrown by {@code send}.
 */
public class MessageDroppedException extends QueueFullException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the stream and its limit. */
    public MessageDroppedException(String message) {
        super(message);
    }
}
