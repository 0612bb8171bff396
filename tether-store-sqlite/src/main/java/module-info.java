/** The embedded default store: one SQLite file per node. Found by {@code ServiceLoader} as a {@code StoreProvider}. */
module dev.tether.store.sqlite {
    requires transitive dev.tether.core;
    requires transitive java.sql; // SqliteTransaction hands the application a java.sql.Connection
    requires org.xerial.sqlitejdbc;

    exports dev.tether.store.sqlite;

    provides dev.tether.spi.StoreProvider with
            dev.tether.store.sqlite.SqliteStoreProvider;
}
