package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive ownership of one store file: an operating-system lock ({@code fcntl}/{@link FileChannel#tryLock})
 * on the sibling file {@code <store>.lock}, which also records the owner's process id for the error message of
 * a second opener. The operating system releases the lock when the owning process dies, however it dies; the
 * lock file itself stays (deleting it would let two openers lock two different files of the same name).
 *
 * <p>SQLite's own locks are untouched: tools such as {@code sqlite3} and {@link StoreInspector} can still read
 * a store that a node is running.
 */
final class StoreLock implements AutoCloseable {
    /**
     * Lock files held in this JVM. POSIX releases all of a process's locks on a file when the process closes
     * any descriptor of it, so a second opener in the same JVM must not even open the lock file: it checks
     * here first.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    StoreLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code storeFile}. */
    static Path lockFileOf(Path storeFile) {
        return storeFile.resolveSibling(storeFile.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code storeFile} or fails at once. The lock belongs to the file the path names, not to its
     * spelling: symbolic links (of the file itself and of its directories, also one to a file not made yet) are
     * resolved first, and the lock file lies next to the real file, so {@code current.db -> a.db} and {@code a.db}
     * share {@code a.db.lock}, in this process and in any other. Not detected: a hard link to the store file (a
     * second name of the same inode gets a lock of its own); do not hard-link a store.
     *
     * @throws StoreInUseException if another store (in any process) holds it
     * @throws StoreException if the lock file cannot be created, saying why
     */
    static StoreLock acquire(Path storeFile) {
        Path real = realFile(storeFile);
        Path lockFile = lockFileOf(real);
        String named = real.equals(storeFile.toAbsolutePath().normalize()) ? "" : " (" + real + ")";
        if (!HELD.add(lockFile)) {
            throw new StoreInUseException(
                    "store " + storeFile + named + " is in use by another store of this process (pid "
                            + ProcessHandle.current().pid() + "; lock file " + lockFile
                            + "): only one node may open a store",
                    lockFile);
        }
        try {
            return lock(storeFile, lockFile, lockFile);
        } catch (RuntimeException e) {
            HELD.remove(lockFile);
            throw e;
        }
    }

    /**
     * The store file with every symbolic link resolved: of the file itself (followed hop by hop, so a link to a
     * store not created yet resolves too) and of its directory, so two spellings of one file give one lock file.
     */
    static Path realFile(Path storeFile) {
        Path file = storeFile.toAbsolutePath();
        for (int hops = 0; hops < 40 && Files.isSymbolicLink(file); hops++) {
            try {
                file = file.resolveSibling(Files.readSymbolicLink(file)); // "..": toRealPath below
            } catch (IOException e) {
                break; // unreadable link: lock the spelling given
            }
        }
        Path dir = file.getParent();
        try {
            return dir.toRealPath().resolve(file.getFileName());
        } catch (IOException e) {
            return file.normalize();
        }
    }

    private static StoreLock lock(Path storeFile, Path lockFile, Path key) {
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw cannotCreate(storeFile, lockFile, e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new StoreInUseException(
                        "store " + storeFile + " is in use by another process (" + owner(lockFile) + "; lock file "
                                + lockFile + "): only one node may open a store",
                        lockFile);
            }
            recordOwner(channel);
            return new StoreLock(key, channel, lock);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) throw r;
            throw new StoreException("cannot lock store " + storeFile + " (lock file " + lockFile + "): " + e, e);
        }
    }

    private static StoreException cannotCreate(Path storeFile, Path lockFile, IOException e) {
        Path dir = storeFile.getParent();
        String why;
        if (e instanceof AccessDeniedException) why = "directory " + dir + " is not writable";
        else if (e instanceof NoSuchFileException) why = "directory " + dir + " does not exist or cannot hold files";
        else if (e instanceof FileSystemException f && f.getReason() != null) {
            why = "directory " + dir + " is not usable (" + f.getReason() + ")";
        } else why = e.toString();
        return new StoreException(
                "cannot create store " + storeFile + ": " + why + " (creating lock file " + lockFile + " failed)", e);
    }

    /** Writes the process id, padded to a fixed width so no truncation (a metadata write) is needed. */
    private static void recordOwner(FileChannel channel) throws IOException {
        String pid = String.format("%-20d%n", ProcessHandle.current().pid());
        ByteBuffer bytes = ByteBuffer.wrap(pid.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) channel.write(bytes, bytes.position());
        if (channel.size() > bytes.capacity()) channel.truncate(bytes.capacity());
    }

    /** "pid N" as recorded by the holder, or a placeholder if unreadable. */
    private static String owner(Path lockFile) {
        try {
            String pid = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
            return pid.matches("[0-9]{1,19}") ? "pid " + pid : "pid unknown";
        } catch (IOException e) {
            return "pid unknown";
        }
    }

    /**
     * Closes {@code lock} (if not null) after {@code failure} (null: none) of its store's own close: throws that
     * failure with the lock's added to it as suppressed, or the lock's alone; the lock is closed either way.
     */
    static void closeAfter(StoreException failure, StoreLock lock) {
        try {
            if (lock != null) lock.close();
        } catch (StoreException e) {
            if (failure == null) throw e;
            failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
    }

    /**
     * Releases the lock and closes the lock file, the second also if the first fails (closing the file releases its
     * locks too, and leaks no descriptor); idempotent.
     *
     * @throws StoreException if either step failed, saying whether the file was closed
     */
    @Override
    public void close() {
        if (released) return;
        released = true;
        IOException releaseFailed = null;
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException e) {
            releaseFailed = e;
        }
        try {
            channel.close();
        } catch (IOException e) {
            if (releaseFailed != null) e.addSuppressed(releaseFailed);
            throw new StoreException("cannot release store lock: " + e + " (the lock file could not be closed)", e);
        } finally {
            HELD.remove(key);
        }
        if (releaseFailed != null) {
            throw new StoreException(
                    "cannot release store lock: " + releaseFailed + " (the lock file was closed, which releases it)",
                    releaseFailed);
        }
    }
}
