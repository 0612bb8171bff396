package dev.tether.store.sqlite;

import dev.tether.spi.StoreProvider;
import dev.tether.testkit.StoreProviderContract;

class SqliteStoreProviderTest extends StoreProviderContract {
    @Override
    protected StoreProvider provider() {
        return new SqliteStoreProvider();
    }
}
