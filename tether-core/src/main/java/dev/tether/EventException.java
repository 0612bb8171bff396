package dev.tether;

/**
 * A distributed event did not complete by a trigger: the base of {@link EventPoisonedException}, {@link
 * StaleEventException} and {@link UnknownEventException}, and, as itself, an await its owner refused (too many remote
 * waiters). Names the event.
 */
public class EventException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The event, as {@link EventHandle#toString()}: exceptions stay serialisable. */
    private final String event;

    /** An exception about {@code event}, with {@code message} naming the problem. */
    public EventException(EventHandle event, String message) {
        super(message);
        this.event = event.toString();
    }

    /** The event this is about. */
    public EventHandle event() {
        return EventHandle.parse(event);
    }
}
