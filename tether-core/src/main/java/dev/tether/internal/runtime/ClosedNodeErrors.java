package dev.tether.internal.runtime;

import dev.tether.NodeClosedException;

/**
 * The {@link NodeClosedException} of a node that is closed. Shut down by the application, it says so; closed by itself
 * because its node thread died of a {@link VirtualMachineError} ({@link NodeLoop#fatal()}), it says that instead and
 * carries the error as its cause, so that a caller refused long after the close still learns why.
 */
final class ClosedNodeErrors {
    private ClosedNodeErrors() {}

    /**
     * @param node the node's id
     * @param fatal what ended its node thread, or null after an orderly shutdown
     * @param orderly the message after an orderly shutdown
     * @param consequence what the refusal means for the caller, after the cause ({@code "send rejected"})
     */
    static NodeClosedException of(Object node, Throwable fatal, String orderly, String consequence) {
        if (fatal == null) return new NodeClosedException(orderly);
        return new NodeClosedException(
                "node " + node + " closed itself: its node thread died of " + fatal + "; " + consequence, fatal);
    }
}
