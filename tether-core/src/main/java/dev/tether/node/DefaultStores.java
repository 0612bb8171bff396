package dev.tether.node;

import dev.tether.spi.StoreProvider;
import java.util.Comparator;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the store provider a node uses when its configuration names no store. */
final class DefaultStores {
    private static final Comparator<StoreProvider> PREFERENCE =
            Comparator.comparingInt(StoreProvider::priority).reversed().thenComparing(StoreProvider::name);

    private DefaultStores() {}

    /** The preferred provider visible to {@code loader}, if any. */
    static Optional<StoreProvider> find(ClassLoader loader) {
        return ServiceLoader.load(StoreProvider.class, loader).stream()
                .map(ServiceLoader.Provider::get)
                .min(PREFERENCE);
    }
}
