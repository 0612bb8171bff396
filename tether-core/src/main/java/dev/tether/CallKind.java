package dev.tether;

/** What a caller expects from a call of a named handler. */
public enum CallKind {
    /** Fire-and-forget ({@link Call#tell}): no reply; a failing handler is retried like any delivery. */
    TELL,
    /** {@link Call#sync}: an empty reply when the handler returned, an error reply when it threw. */
    SYNC,
    /** {@link Call#request}: a reply carrying the handler's result, or an error reply. */
    REQUEST
}
