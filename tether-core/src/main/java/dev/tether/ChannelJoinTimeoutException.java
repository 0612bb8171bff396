package dev.tether;

/**
 * A join did not complete within the node's {@code channelJoinTimeout} (default: its {@code defaultCallTimeout}): some
 * peer it tells has not taken care of it yet (it is down, or far behind). The membership is stored all the same, and
 * the join stays in this node's outbox for each such peer: the peer takes it when it returns, and from then on
 * publishes to this node. Names the peers that had not answered.
 */
public class ChannelJoinTimeoutException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the channel and the peers that had not answered. */
    public ChannelJoinTimeoutException(String message) {
        super(message);
    }
}
