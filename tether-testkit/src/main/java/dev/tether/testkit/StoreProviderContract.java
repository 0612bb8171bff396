package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoreProvider;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of {@link StoreProvider}: tests for its numbered rules. Subclass it in a test source set and
 * implement {@link #provider()}.
 */
public abstract class StoreProviderContract {
    /** For subclasses: one per implementation under test. */
    protected StoreProviderContract() {}

    private static final NodeId A = NodeId.of("node-a");
    private static final NodeId B = NodeId.of("node.b");

    @TempDir
    protected Path directory;

    /** A new instance of the provider under test, created as {@link java.util.ServiceLoader} would. */
    protected abstract StoreProvider provider();

    @Test
    void creatingAStoreDoesNoIo() throws IOException {
        provider().create(A, directory);
        provider().create(A, directory.resolve("not-yet-there"));
        assertThat(listing(directory)).isEmpty();
    }

    @Test
    void storesLiveUnderTheDirectoryOneNodeEach() {
        StoreProvider p = provider();
        assertThat(p.locate(A, directory)).startsWithRaw(directory);
        assertThat(p.locate(A, directory)).isNotEqualTo(p.locate(B, directory));
        var a = p.create(A, directory);
        var b = p.create(B, directory);
        long epochA = a.open(Durability.MEMORY).epoch();
        long epochB = b.open(Durability.MEMORY).epoch();
        a.close();
        b.close();
        assertThat(Files.exists(p.locate(A, directory))).isTrue();
        assertThat(Files.exists(p.locate(B, directory))).isTrue();
        assertThat(epochA).isNotEqualTo(epochB);
    }

    @Test
    void theSameNodeInTheSameDirectoryReopensItsState() {
        StoreProvider p = provider();
        var first = p.create(A, directory);
        StoredState before = first.open(p.maxDurability());
        byte[] payload = "kept".getBytes(StandardCharsets.UTF_8);
        first.commit(new WriteBatch().append(new StoredMessage(B, "lane", 1, 0, Map.of(), payload)));
        first.close();

        var again = p.create(A, directory);
        StoredState after = again.open(p.maxDurability());
        assertThat(after.epoch()).isEqualTo(before.epoch());
        assertThat(again.readOutbox(B, "lane", 1, 10))
                .singleElement()
                .satisfies(m -> assertThat(m.payload()).isEqualTo(payload));
        again.close();
    }

    @Test
    void createdStoresOfferTheAdvertisedDurability() {
        StoreProvider p = provider();
        assertThat(p.create(A, directory).maxDurability()).isEqualTo(p.maxDurability());
    }

    @Test
    void nameIsShortAndNonBlank() {
        assertThat(provider().name()).isNotBlank().hasSizeLessThan(32);
    }

    private static java.util.List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
