package dev.tether;

/** An awaited event was poisoned ({@link TetherNode#poison}) instead of triggered; {@link #reason()} says why. */
public class EventPoisonedException extends EventException {
    private static final long serialVersionUID = 1L;

    /** The reason given to {@code poison}. */
    private final String reason;

    /** The event {@code event} was poisoned with {@code reason}. */
    public EventPoisonedException(EventHandle event, String reason) {
        super(event, "event " + event + " was poisoned: " + reason);
        this.reason = reason;
    }

    /** The reason given to {@code poison}. */
    public String reason() {
        return reason;
    }
}
