package dev.tether;

/**
 * A volatile call is lost: the called node's process ended or restarted (a new boot id in its HELLO) after the
 * call may have reached it and before its reply came back. Volatile calls are never sent again, so the call was
 * executed at most once: perhaps not at all, perhaps completely. Retry only if the handler tolerates that.
 */
public class VolatileLostException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception for a volatile call of {@code handler} on {@code peer} lost with {@code peer}'s process. */
    public VolatileLostException(NodeId peer, String handler) {
        super("volatile call of handler '" + handler + "' on " + peer + " is lost: " + peer
                + " restarted before it answered; the call was executed at most once (perhaps not at all) and is not"
                + " sent again");
    }
}
