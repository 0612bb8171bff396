package dev.tether;

import java.time.Instant;

/**
 * A call's deadline passed before its reply arrived. The caller's future fails with this at the deadline, by the
 * caller's clock, whatever the network or the remote node does; a reply arriving later is dropped and counted
 * ({@link CallStats#repliesDropped()}). The remote node never starts a handler after the deadline, but it may have
 * started one before it, so the call may or may not have been executed.
 */
public class DeadlineExceededException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The deadline that passed. */
    private final Instant deadline;

    /** An exception for a call of {@code handler} on {@code peer} whose {@code deadline} passed. */
    public DeadlineExceededException(NodeId peer, String handler, Instant deadline) {
        super("call of handler '" + handler + "' on " + peer + " got no reply by its deadline " + deadline);
        this.deadline = deadline;
    }

    /** The deadline that passed. */
    public Instant deadline() {
        return deadline;
    }
}
