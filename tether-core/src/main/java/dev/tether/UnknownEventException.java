package dev.tether;

/**
 * The event's owner does not know it: it never created it (or crashed before storing its creation), or the event
 * completed and was forgotten, because the owner keeps only a bounded history of completed events ({@code
 * TetherConfig.Builder.events}). An await of such an event fails with this rather than waiting forever.
 */
public class UnknownEventException extends EventException {
    private static final long serialVersionUID = 1L;

    /** {@code event} is unknown to its owner. */
    public UnknownEventException(EventHandle event) {
        super(
                event,
                "event " + event + " is unknown to its owner " + event.owner() + ": never created there, or"
                        + " completed and forgotten (beyond the owner's history of completed events)");
    }
}
