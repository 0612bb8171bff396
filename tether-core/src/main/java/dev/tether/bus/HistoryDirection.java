package dev.tether.bus;

/** Whether a {@link HistoryEntry} records a message this node sent or one it received. */
public enum HistoryDirection {
    /** Received and settled by this node (with its outcome). */
    IN,
    /** Stored by this node for sending. */
    OUT
}
