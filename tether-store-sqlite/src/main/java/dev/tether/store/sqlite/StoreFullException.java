package dev.tether.store.sqlite;

import dev.tether.StoreException;

/**
 * A commit failed because the store has no room left: either it reached the size limit set with {@link
 * SqliteStore.Builder#maxSizeBytes} or the disk holding it is full (SQLite's {@code SQLITE_FULL}). Nothing of
 * the failed batch is stored. A node keeps running: the sends of the batch fail with a {@link StoreException}
 * caused by this one, no acknowledgment is sent for anything not stored, and writes succeed again once space is
 * freed (acknowledged messages are deleted from the outbox, the disk is cleaned up, or the store is reopened
 * with a larger limit). The message says which of the two causes was detected.
 */
public final class StoreFullException extends StoreException {
    private static final long serialVersionUID = 1L;

    StoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
