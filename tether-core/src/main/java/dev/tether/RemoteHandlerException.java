package dev.tether;

/**
 * The remote handler of a {@link Call#sync} or {@link Call#request} threw, or its reply could not be sent. The
 * call was taken care of (not retried): the failure is the reply. {@link #remoteType()} is the name of the
 * exception's class on the remote node (for example {@code java.lang.IllegalStateException}) and {@link
 * #remoteMessage()} its message, both as the remote node reported them.
 */
public class RemoteHandlerException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The remote exception's class name. */
    private final String remoteType;

    /** The remote exception's message; empty when it had none. */
    private final String remoteMessage;

    /**
     * An exception for a failed call of {@code handler} on {@code peer}.
     *
     * @param remoteType the remote exception's class name
     * @param remoteMessage the remote exception's message, empty when it had none
     */
    public RemoteHandlerException(NodeId peer, String handler, String remoteType, String remoteMessage) {
        super("handler '" + handler + "' on " + peer + " failed: " + remoteType
                + (remoteMessage.isEmpty() ? "" : ": " + remoteMessage));
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    /** The remote exception's class name, as the remote node reported it. */
    public String remoteType() {
        return remoteType;
    }

    /** The remote exception's message, as the remote node reported it; empty when it had none. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
