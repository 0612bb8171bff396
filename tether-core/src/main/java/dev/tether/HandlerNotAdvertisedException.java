package dev.tether;

import java.time.Duration;

/**
 * {@link TetherNode#awaitHandler} gave up: the peer did not advertise a handler of that name within the timeout (it
 * may not have it, or may not have been connected to tell). Nothing was sent to the peer; waiting again is safe.
 */
public class HandlerNotAdvertisedException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The peer that was waited for. */
    private final NodeId peer;

    /** The handler name that was waited for. */
    private final String handler;

    /** An exception saying that {@code peer} did not advertise {@code handler} within {@code timeout}. */
    public HandlerNotAdvertisedException(NodeId peer, String handler, Duration timeout, String advertised) {
        super("node " + peer + " did not advertise handler '" + handler + "' within " + timeout + " (" + advertised
                + ")");
        this.peer = peer;
        this.handler = handler;
    }

    /** The peer that was waited for. */
    public NodeId peer() {
        return peer;
    }

    /** The handler name that was waited for. */
    public String handler() {
        return handler;
    }
}
