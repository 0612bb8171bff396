package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.nio.file.Path;
import java.util.List;

/**
 * The store file is damaged: SQLite's {@code PRAGMA quick_check} found problems when the store was opened, or
 * SQLite reported {@code SQLITE_CORRUPT} while reading or writing it. A node refuses to start on such a file
 * instead of running with messages it cannot read. Nothing was changed in the file by the failed open. The
 * message names the file, the first problems found and where the recovery steps are (docs/OPERATIONS.md,
 * "A corrupt store").
 */
public final class StoreCorruptException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final List<String> problems;

    StoreCorruptException(String message, Path file, List<String> problems, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /** The damaged store file. */
    public Path file() {
        return file;
    }

    /** The first problems SQLite reported, one per entry; at least one. */
    public List<String> problems() {
        return problems;
    }
}
