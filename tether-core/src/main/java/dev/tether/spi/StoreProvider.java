package dev.tether.spi;

import dev.tether.Durability;
import dev.tether.NodeId;
import java.nio.file.Path;

/**
 * Supplies the store of a node whose configuration names none. Providers are found with {@link
 * java.util.ServiceLoader}: a store module lists its provider in {@code
 * META-INF/services/dev.tether.spi.StoreProvider}. When several are on the class path, the one with the
 * highest {@link #priority()} wins (ties: the smallest {@link #name()}), so the choice does not depend on
 * class path order.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.StoreProviderContract} checks them.
 *
 * <ol>
 *   <li>{@link #create} does no I/O: the returned store touches the disk only in {@link Store#open}. A
 *       configuration can therefore be built, inspected and discarded freely.
 *   <li>The store is kept under {@code directory} and named after {@code node}, so nodes sharing a directory
 *       never share a store, and {@link #locate} names exactly where.
 *   <li>Creating the store of the same node in the same directory again (after the first was closed) opens the
 *       same state: same epoch, same outbox, same cursors.
 *   <li>The created store's {@link Store#maxDurability()} equals {@link #maxDurability()}.
 *   <li>A provider has a public no-argument constructor and no mutable state; it is thread-safe.
 * </ol>
 */
public interface StoreProvider {
    /** A short name for messages and logs, such as {@code "sqlite"}. */
    String name();

    /** Higher wins when several providers are on the class path. */
    int priority();

    /** The strongest durability the created stores offer. */
    Durability maxDurability();

    /** Where the store of {@code node} in {@code directory} lives, for messages and operators. */
    Path locate(NodeId node, Path directory);

    /** A new, unopened store for {@code node} kept in {@code directory}. */
    Store create(NodeId node, Path directory);
}
