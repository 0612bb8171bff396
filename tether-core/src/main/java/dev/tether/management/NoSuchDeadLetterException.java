package dev.tether.management;

import dev.tether.TetherException;

/** A dead letter named by id does not exist (never did, or was replayed or purged already); nothing was changed. */
public final class NoSuchDeadLetterException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** With {@code message} saying which id. */
    public NoSuchDeadLetterException(String message) {
        super(message);
    }
}
