package dev.tether;

/** Bounds of distributed events ({@link TetherNode#trigger}, {@link TetherNode#poison}, {@link TetherNode#await}). */
public final class EventLimits {
    /** The largest payload of a trigger, in bytes: it is stored with the event and sent to every waiter. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024;

    /** The longest reason of a poison, in characters. */
    public static final int MAX_REASON_CHARS = 1024;

    /** The most nodes that may wait for one event at once, besides its owner; a further one's await fails. */
    public static final int MAX_REMOTE_WAITERS = 256;

    /** The default number of completed events an owner keeps for late awaits. */
    public static final int DEFAULT_HISTORY = 10_000;

    /** The default number of pending events a node may own. */
    public static final int DEFAULT_MAX_PENDING = 100_000;

    private EventLimits() {}
}
