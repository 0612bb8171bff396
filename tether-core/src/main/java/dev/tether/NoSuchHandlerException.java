package dev.tether;

/**
 * The called node has no handler of that name (none was registered, or it was removed) and the call did not ask
 * to {@linkplain Call#waitForHandler() wait} for one. The call was not executed. A {@link Call#tell tell} reports
 * this as {@link Outcome#NO_SUCH_HANDLER} instead.
 */
public class NoSuchHandlerException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The node that was called. */
    private final NodeId peer;

    /** The handler name that was called. */
    private final String handler;

    /** An exception saying that {@code peer} has no handler {@code handler}. */
    public NoSuchHandlerException(NodeId peer, String handler) {
        super("node " + peer + " has no handler '" + handler + "' (not registered, or removed); use"
                + " Call.waitForHandler() to wait for it within the call's timeout");
        this.peer = peer;
        this.handler = handler;
    }

    /**
     * An exception saying that no connected peer advertises {@code handler} ({@code TetherNode.callAny}); {@link
     * #peer()} is null.
     */
    public NoSuchHandlerException(String handler) {
        super("no connected peer advertises handler '" + handler + "' (TetherNode.callAny); await one with"
                + " awaitHandler, or call a node by its id");
        this.peer = null;
        this.handler = handler;
    }

    /** The node that was called; null if no node advertised the handler ({@code TetherNode.callAny}). */
    public NodeId peer() {
        return peer;
    }

    /** The handler name that was called. */
    public String handler() {
        return handler;
    }
}
