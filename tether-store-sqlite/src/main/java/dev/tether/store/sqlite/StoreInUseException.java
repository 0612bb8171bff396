package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.nio.file.Path;

/**
 * The store file is already open for writing by another {@link SqliteStore}, in this process or another one:
 * two nodes must never write one store. The holder keeps an exclusive operating-system lock on the sibling
 * file {@code <store>.lock} for as long as its store is open; the lock disappears when that store is closed or
 * its process dies (even by {@code SIGKILL}), so opening again afterwards succeeds.
 */
public final class StoreInUseException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final transient Path lockFile;

    StoreInUseException(String message, Path lockFile) {
        super(message);
        this.lockFile = lockFile;
    }

    /** The lock file held by the other owner. */
    public Path lockFile() {
        return lockFile;
    }
}
