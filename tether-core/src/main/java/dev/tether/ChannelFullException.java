package dev.tether;

/**
 * A publish on a channel whose log is full under {@link ChannelOptions.WhenFull#REJECT}, or stayed full for the wait
 * of {@link ChannelOptions.WhenFull#BLOCK}: storing it would take the log beyond its message or byte limit. Nothing was
 * stored; the publish may be tried again once readers took care of older messages. Counted in {@code
 * NodeStats.publishesRejected} and reported as {@code TetherEvent.Overflow} on the channel's lane.
 */
public class ChannelFullException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the channel and the limit. */
    public ChannelFullException(String message) {
        super(message);
    }

    /** An exception with {@code message} and its {@code cause} (an interrupt while waiting for room). */
    public ChannelFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
