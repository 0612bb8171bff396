package dev.tether;

/**
 * The handle names an older generation of its event: its owner created the event's id again ({@link
 * TetherNode#createEvent(String)}), which superseded this generation. An await of a generation superseded while it was
 * pending fails with this too; {@link #currentGeneration()} is the owner's newer one.
 */
public class StaleEventException extends EventException {
    private static final long serialVersionUID = 1L;

    /** The generation the owner has now. */
    private final long currentGeneration;

    /** {@code event} is older than generation {@code currentGeneration} of its id. */
    public StaleEventException(EventHandle event, long currentGeneration) {
        super(
                event,
                "event " + event + " is stale: its owner has generation " + currentGeneration + " of '" + event.id()
                        + "' now");
        this.currentGeneration = currentGeneration;
    }

    /** The generation the owner has now. */
    public long currentGeneration() {
        return currentGeneration;
    }
}
