package dev.tether;

/**
 * A publish on a channel whose log is full under {@link ChannelOptions.WhenFull#REJECT}: storing it would take the log
 * beyond its message or byte limit. Nothing was stored; the publish may be tried again once readers took care of
 * older messages. Counted in the channel's {@code rejected} statistics.
 */
public class ChannelFullException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the channel and the limit. */
    public ChannelFullException(String message) {
        super(message);
    }
}
