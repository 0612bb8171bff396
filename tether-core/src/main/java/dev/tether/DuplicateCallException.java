package dev.tether;

/**
 * A call carried an {@linkplain Call#idempotencyKey idempotency key} the called node had already seen from this node
 * within its dedup window: it was not executed. The call with that key that was executed is {@link #original()}
 * (its request id, {@code Reply.requestId()}); its reply, if any, went to its own future.
 */
public class DuplicateCallException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The node that was called. */
    private final NodeId peer;

    /** The handler name that was called. */
    private final String handler;

    /** The request id of the call executed under the key. */
    private final MessageId original;

    /** An exception saying that {@code peer} executed {@code original} under the key of this call already. */
    public DuplicateCallException(NodeId peer, String handler, MessageId original) {
        super("node " + peer + " did not execute this call of handler '" + handler + "': it executed " + original
                + " with the same idempotency key already");
        this.peer = peer;
        this.handler = handler;
        this.original = original;
    }

    /** The node that was called. */
    public NodeId peer() {
        return peer;
    }

    /** The handler name that was called. */
    public String handler() {
        return handler;
    }

    /** The request id of the call executed under the key. */
    public MessageId original() {
        return original;
    }
}
