package dev.tether.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory under {@code java.io.tmpdir} (normally /tmp) for the SQLite files of one scenario run, deleted
 * with everything in it (database, -wal and -shm files) on {@link #close}.
 */
final class TempDir implements AutoCloseable {
    private final Path dir;

    private TempDir(Path dir) {
        this.dir = dir;
    }

    static TempDir create() {
        return createIn(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** A directory in {@code parent} (a test's own, so that no other build's runs are counted with its own). */
    static TempDir createIn(Path parent) {
        try {
            return new TempDir(Files.createTempDirectory(parent, "tether-storage-bench-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the benchmark", e);
        }
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark's temporary directory " + dir, e);
        }
    }
}
