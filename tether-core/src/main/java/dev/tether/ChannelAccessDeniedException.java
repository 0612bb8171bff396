package dev.tether;

/**
 * A join this node may not make: it was kicked from the channel ({@code NodeManagement.kick}) and has not been
 * re-admitted since ({@code NodeManagement.readmit}). Nothing was stored and no peer was told. The message names the
 * channel and the node that kicked this one.
 */
public class ChannelAccessDeniedException extends ChannelRoleException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the channel and who kicked this node. */
    public ChannelAccessDeniedException(String message) {
        super(message);
    }
}
