package dev.tether.internal.engine;

/**
 * Where a sender stream ({@link OutStream}) stands on the current connection. {@code CLOSED -> OPENING} when OPEN goes out; {@code
 * OPENING -> CLOSED} when it is presumed lost (the peer's HELLO arrived, or the timer fired); {@code CLOSED |
 * OPENING -> OPEN} on the first ACK; any but {@code DIVERGED} {@code -> CLOSED} on a new or lost connection;
 * {@code -> DIVERGED} when an ACK shows this store went backwards, for the rest of the process.
 */
enum OutLink {
    CLOSED,
    OPENING,
    OPEN,
    DIVERGED;

    /** Whether {@code this -> next} is one of the transitions above; every change of state goes through it. */
    boolean mayBecome(OutLink next) {
        return switch (this) {
            case CLOSED -> true;
            case OPENING -> next != OPENING;
            case OPEN -> next == CLOSED || next == DIVERGED;
            case DIVERGED -> false;
        };
    }
}
