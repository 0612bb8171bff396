package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ownership lock belongs to the store file, not to the spelling of its path: a store opened through a symbolic
 * link to the file is the same store (SQLite follows the link: same database, same WAL), so a second opener through
 * the link, or through the real name while the link is open, must be refused (audit 9, finding 3: the lock file was
 * {@code <link>.lock}, a different file, and two writers then numbered the same streams).
 */
class StoreSymlinkOwnershipTest {
    @TempDir
    Path dir;

    @Test
    void aSecondOpenThroughASymlinkToTheStoreFileIsRefused() throws IOException {
        Path real = dir.resolve("real.db");
        Path link = dir.resolve("link.db");
        try (SqliteStore first = new SqliteStore(real)) {
            first.open(Durability.FSYNC);
            Files.createSymbolicLink(link, real.getFileName()); // relative target, as an operator would make it
            SqliteStore second = new SqliteStore(link);
            try {
                assertThatThrownBy(() -> second.open(Durability.FSYNC))
                        .as("opening %s (a link to %s, which is open) must fail like any other spelling", link, real)
                        .isInstanceOf(StoreInUseException.class);
            } finally {
                second.close();
            }
        }
    }

    @Test
    void aLinkMadeBeforeTheStoreExistsLocksTheFileItWillName() throws IOException {
        Path real = dir.resolve("later.db");
        Path link = dir.resolve("current.db");
        Files.createSymbolicLink(link, real.getFileName()); // dangling until the first open creates the store
        try (SqliteStore first = new SqliteStore(link)) {
            first.open(Durability.FSYNC);
            SqliteStore second = new SqliteStore(real);
            try {
                assertThatThrownBy(() -> second.open(Durability.FSYNC))
                        .as("opening %s while it is open through the link %s", real, link)
                        .isInstanceOf(StoreInUseException.class)
                        .hasMessageContaining(
                                dir.toRealPath().resolve("later.db.lock").toString());
            } finally {
                second.close();
            }
        }
    }
}
