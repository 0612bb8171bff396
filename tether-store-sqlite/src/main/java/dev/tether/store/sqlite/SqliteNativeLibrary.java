package dev.tether.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Keeps sqlite-jdbc's native library in a cache directory, so that a process start loads it from there instead of
 * extracting it again. By default sqlite-jdbc writes its 1 MB library into {@code java.io.tmpdir} under a random
 * name on every start (and reads it back to check it), which is a noticeable part of a node's start-up time
 * (docs/BENCHMARKS.md).
 *
 * <p>{@link #useCache} extracts the library once, under a name that carries the sqlite-jdbc version and the
 * library's CRC-32, and points sqlite-jdbc at it ({@code org.sqlite.lib.path}, {@code org.sqlite.lib.name}). Every
 * later start checks the cached file's size and CRC-32 (about a millisecond) and uses it. Concurrent first starts
 * are safe: each writes its own temporary file and renames it into place atomically, so no process ever sees a
 * partial library. It must run before the first SQLite connection of the process; afterwards it changes nothing.
 *
 * <p>The {@code tether} command calls it for the commands that open stores; applications may call it at start-up
 * too. Thread-safe (static and idempotent).
 */
public final class SqliteNativeLibrary {
    private static final System.Logger LOG = System.getLogger(SqliteNativeLibrary.class.getName());
    private static final String PATH_PROPERTY = "org.sqlite.lib.path";
    private static final String NAME_PROPERTY = "org.sqlite.lib.name";
    private static final Set<PosixFilePermission> OTHERS_WRITE =
            Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private SqliteNativeLibrary() {}

    /**
     * The default cache directory: the system property {@code tether.cache.dir} if set, else {@code
     * $XDG_CACHE_HOME/tether}, else {@code ~/.cache/tether}.
     */
    public static Path defaultCacheDirectory() {
        String configured = System.getProperty("tether.cache.dir");
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "tether");
        return Path.of(System.getProperty("user.home"), ".cache", "tether");
    }

    /**
     * Makes sqlite-jdbc load its native library from {@code dir}, extracting it there first if it is missing or
     * damaged. Does nothing if {@code org.sqlite.lib.path} is already set. Never fails: if the directory cannot be
     * used (not writable, writable by other users, a full disk) or sqlite-jdbc has no library for this platform,
     * sqlite-jdbc's own extraction stays in effect, and the reason is logged at {@code DEBUG}.
     *
     * @return the cached library in use, or empty if sqlite-jdbc's default stays in effect
     */
    public static synchronized Optional<Path> useCache(Path dir) {
        if (System.getProperty(PATH_PROPERTY) != null) return Optional.empty();
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        URL url = SQLiteJDBCLoader.class.getResource(resource);
        if (url == null) return Optional.empty();
        try {
            Path library = cached(dir.toAbsolutePath(), url);
            System.setProperty(PATH_PROPERTY, library.getParent().toString());
            System.setProperty(NAME_PROPERTY, library.getFileName().toString());
            return Optional.of(library);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "not caching sqlite-jdbc's native library in " + dir, e);
            return Optional.empty();
        }
    }

    /** The verified library file in {@code dir}, written there first if needed. */
    private static Path cached(Path dir, URL url) throws IOException {
        prepare(dir);
        long[] sizeAndCrc = sizeAndCrc(url);
        String fileName = String.format(
                Locale.ROOT,
                "tether-sqlite-jdbc-%s-%08x-%s",
                SQLiteJDBCLoader.getVersion(),
                sizeAndCrc[1],
                LibraryLoaderUtil.getNativeLibName());
        Path target = dir.resolve(fileName);
        if (Files.isRegularFile(target) && matches(target, sizeAndCrc)) return target;
        Path tmp = Files.createTempFile(dir, "." + fileName + ".", ".tmp");
        try {
            long[] written;
            try (InputStream in = url.openStream();
                    OutputStream out = Files.newOutputStream(tmp)) {
                written = copy(in, out);
            }
            if (written[0] != sizeAndCrc[0] || written[1] != sizeAndCrc[1]) {
                throw new IOException("extracted " + written[0] + " bytes with CRC " + Long.toHexString(written[1])
                        + ", expected " + sizeAndCrc[0] + " bytes with CRC " + Long.toHexString(sizeAndCrc[1]));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically in " + dir, e);
            }
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates {@code dir} for this user only, or checks that an existing one is not writable by others: a library
     * loaded from it runs in this process, so nobody else may be able to replace it.
     */
    private static void prepare(Path dir) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (posix) Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return;
        }
        if (posix && Files.getPosixFilePermissions(dir).stream().anyMatch(OTHERS_WRITE::contains)) {
            throw new IOException(dir + " is writable by other users");
        }
    }

    /** The uncompressed size and CRC-32 of the resource: from the jar's directory if it is in a jar (free). */
    private static long[] sizeAndCrc(URL url) throws IOException {
        URLConnection c = url.openConnection();
        if (c instanceof JarURLConnection jar) {
            var entry = jar.getJarEntry();
            if (entry.getSize() >= 0 && entry.getCrc() >= 0) return new long[] {entry.getSize(), entry.getCrc()};
        }
        try (InputStream in = url.openStream()) {
            return copy(in, OutputStream.nullOutputStream());
        }
    }

    private static boolean matches(Path file, long[] sizeAndCrc) throws IOException {
        if (Files.size(file) != sizeAndCrc[0]) return false;
        try (InputStream in = Files.newInputStream(file)) {
            return copy(in, OutputStream.nullOutputStream())[1] == sizeAndCrc[1];
        }
    }

    /** Copies {@code in} to {@code out}; returns the number of bytes and their CRC-32. */
    private static long[] copy(InputStream in, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[64 << 10];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            crc.update(buf, 0, r);
            out.write(buf, 0, r);
            n += r;
        }
        return new long[] {n, crc.getValue()};
    }
}
