package dev.tether.cli;

import dev.tether.store.sqlite.SqliteNativeLibrary;

/** Makes sqlite-jdbc load its native library from the user's cache directory; for commands that open stores. */
final class NativeSqlite {
    private NativeSqlite() {}

    /** Call before the first store is opened; idempotent. */
    static void prepare() {
        SqliteNativeLibrary.useCache(SqliteNativeLibrary.defaultCacheDirectory());
    }
}
