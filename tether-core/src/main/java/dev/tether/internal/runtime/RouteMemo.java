package dev.tether.internal.runtime;

/**
 * What a {@link Router} keeps between the messages of one stream's delivery runs (routed one message after the
 * other, never concurrently; {@link StreamRouteMemo}): the parts of a route that depend on the stream alone (which
 * endpoint its lane names) are found once and only checked per message. The memo holds
 * no routing decision: everything that can change between two messages (the routing rules' snapshot, a closed or
 * re-registered endpoint, a message's headers) is still looked at per message, so a rule change applies to the next
 * message routed after it returns (docs/MESSAGING.md, "Routing rules", "Changes at run time").
 */
public interface RouteMemo {
    /** What the router kept for this run, or null (nothing yet). */
    Object remembered();

    /** Keeps {@code o} for the run's next messages (null: nothing). */
    void remember(Object o);
}
