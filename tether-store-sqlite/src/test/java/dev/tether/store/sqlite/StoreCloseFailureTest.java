package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.StoreException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing releases everything even when a step fails: a lock whose release fails still has its file closed (no
 * leaked descriptor), and a store whose connection fails to close reports that failure, with the lock's failure
 * added to it, not in its place.
 */
class StoreCloseFailureTest {
    @TempDir
    Path dir;

    /** A lock whose release fails, as it may on a file system that has gone away. */
    private static final class FailingRelease extends FileLock {
        FailingRelease(FileChannel channel) {
            super(channel, 0, Long.MAX_VALUE, false);
        }

        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public void release() throws IOException {
            throw new IOException("release failed");
        }
    }

    private StoreLock failingLock(String name) throws IOException {
        Path file = dir.resolve(name);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new StoreLock(file, channel, new FailingRelease(channel));
    }

    @Test
    void aLockWhoseReleaseFailsStillClosesItsFileAndSaysSo() throws IOException {
        StoreLock lock = failingLock("a.lock");
        FileChannel channel = channel(lock);
        assertThatThrownBy(lock::close)
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("release failed")
                .hasMessageContaining("the lock file was closed");
        assertThat(channel.isOpen()).isFalse();
        lock.close(); // idempotent
    }

    @Test
    void aConnectionThatFailsToCloseIsTheFailureReportedWithTheLocksFailureAdded() throws Exception {
        SqliteStore store = new SqliteStore(dir.resolve("s.db"));
        store.open(Durability.FSYNC);
        Connection real = (Connection) field("connection").get(store);
        StoreLock realLock = (StoreLock) field("lock").get(store);
        field("connection")
                .set(
                        store,
                        Proxy.newProxyInstance(
                                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
                                    if (m.getName().equals("close")) throw new SQLException("disk I/O error");
                                    return m.invoke(real, args);
                                }));
        field("lock").set(store, failingLock("s.db.lock2"));
        try {
            assertThatThrownBy(store::close)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot close")
                    .satisfies(e -> assertThat(e.getSuppressed())
                            .singleElement()
                            .satisfies(s -> assertThat(s).hasMessageContaining("release failed")));
        } finally {
            real.close();
            realLock.close();
        }
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = SqliteStore.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static FileChannel channel(StoreLock lock) {
        try {
            Field f = StoreLock.class.getDeclaredField("channel");
            f.setAccessible(true);
            return (FileChannel) f.get(lock);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
