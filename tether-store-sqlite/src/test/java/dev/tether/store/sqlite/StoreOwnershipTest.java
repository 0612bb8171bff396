package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.testkit.process.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Only one node may write a store file: the lock file, in one JVM and across real processes. */
class StoreOwnershipTest {
    @TempDir
    Path dir;

    @Test
    void secondOpenInTheSameProcessIsRefusedUntilTheFirstCloses() {
        Path file = dir.resolve("a.db");
        SqliteStore first = new SqliteStore(file);
        first.open(Durability.FSYNC);

        SqliteStore second = new SqliteStore(dir.resolve(".").resolve("a.db")); // another spelling of the path
        assertThatThrownBy(() -> second.open(Durability.FSYNC))
                .isInstanceOf(StoreInUseException.class)
                .hasMessageContaining("store " + file + " is in use by another store of this process")
                .hasMessageContaining("lock file " + file + ".lock")
                .satisfies(e -> assertThat(((StoreInUseException) e).lockFile()).isEqualTo(Path.of(file + ".lock")));
        second.close();
        // The refused opener did not disturb the holder's lock: a third try fails the same way.
        SqliteStore third = new SqliteStore(file);
        assertThatThrownBy(() -> third.open(Durability.FSYNC)).isInstanceOf(StoreInUseException.class);
        third.close();

        first.close();
        try (SqliteStore again = new SqliteStore(file)) {
            again.open(Durability.FSYNC);
        }
        assertThat(Files.exists(Path.of(file + ".lock"))).isTrue();
    }

    @Test
    void aFailedOpenReleasesTheLock() throws IOException {
        Path file = dir.resolve("text.db");
        Files.writeString(file, "not a database, and longer than sixteen bytes");
        for (int i = 0; i < 2; i++) {
            SqliteStore store = new SqliteStore(file);
            assertThatThrownBy(() -> store.open(Durability.FSYNC)).hasMessageContaining("is not a Tether store");
            store.close();
        }
    }

    @Test
    @Timeout(180)
    void anotherProcessHoldsTheStoreUntilItIsKilled() throws Exception {
        Path file = dir.resolve("shared.db");
        Process child = startHolder(file, 5);
        try {
            SqliteStore store = new SqliteStore(file);
            assertThatThrownBy(() -> store.open(Durability.FSYNC))
                    .isInstanceOf(StoreInUseException.class)
                    .hasMessageContaining("store " + file + " is in use by another process (pid " + child.pid())
                    .hasMessageContaining("lock file " + file + ".lock");
            store.close();
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, the OS drops the lock
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child ended").isTrue();
        }
        assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            List<StoredMessage> committed = store.readOutbox(NodeId.of("b"), "default", 0, 100);
            assertThat(committed).extracting(StoredMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }

    /** A child JVM that opens {@code file}, commits {@code n} messages and holds the store; waits until it is ready. */
    private static Process startHolder(Path file, int n) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        ChildJvm.currentClasspath(),
                        LockHolder.class.getName(),
                        file.toString(),
                        Integer.toString(n))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // blocks until the child is ready, or returns null if it died
        if (!"READY".equals(line)) {
            p.destroyForcibly();
            throw new AssertionError("child did not become ready: " + line);
        }
        return p;
    }
}
