package dev.tether;

/**
 * A channel operation this node's membership does not allow: a publish on a channel it did not join, or joined
 * {@link ChannelRole#READ} only. Nothing was published.
 */
public class ChannelRoleException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the channel and the role. */
    public ChannelRoleException(String message) {
        super(message);
    }
}
