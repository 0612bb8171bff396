package dev.tether.transport.tcp.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;

/**
 * The socket file of a listening Unix domain socket: checks its path, clears a stale socket left by a process that
 * died, restricts the file's permissions right after bind, and removes the file on close if it is still the one
 * this transport created. Used on the thread that starts or closes the transport.
 */
public final class UnixSocketFile {
    private static final System.Logger LOG = System.getLogger(UnixSocketFile.class.getName());

    /**
     * The longest path bound: Linux's {@code sun_path} holds 108 bytes with the terminating NUL, and the JDK's NIO
     * binds at most 106 of them, so that is the limit on both socket implementations.
     */
    public static final int MAX_PATH_BYTES = 106;

    private static final int TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    /** With group access: the group may reach the socket file (traverse), not list the directory. */
    private static final Set<PosixFilePermission> GROUP_DIRECTORY_MODE = PosixFilePermissions.fromString("rwx--x---");

    private final Path path;
    private Object fileKey;

    private UnixSocketFile(Path path) {
        this.path = path;
    }

    /**
     * {@code path} as an absolute path a socket can be bound to.
     *
     * @throws IllegalArgumentException saying why it cannot: empty, a NUL character, or longer than {@value
     *     #MAX_PATH_BYTES} bytes (the platform's limit) once made absolute
     */
    public static Path check(Path path) {
        Objects.requireNonNull(path, "path");
        String raw = path.toString();
        if (raw.isEmpty()) throw new IllegalArgumentException("a Unix domain socket path must not be empty");
        Path absolute = path.toAbsolutePath().normalize();
        int bytes = absolute.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("Unix domain socket path " + absolute + " is " + bytes
                    + " bytes long, above the platform's limit of " + MAX_PATH_BYTES
                    + " bytes (sun_path): choose a shorter path");
        }
        return absolute;
    }

    /** {@code unix:<absolute path>}, the text form of a Unix domain socket address. */
    public static String format(Path path) {
        return "unix:" + path;
    }

    /**
     * Makes {@code path} ready to bind: creates its directory if it is missing, with mode 0700, or 0710 if {@code
     * fileMode} (the socket file's) lets the group in (group access: the group must traverse the directory to reach
     * the socket, and may not list it), and removes a stale socket file (one no process listens on any more). The
     * mode is set on each directory created after creating it, so the umask does not take the group's access away.
     *
     * @throws ListenFailedException if the path exists and is not a socket, if a process listens on it (then
     *     {@link ListenFailedException#addressInUse()}), or if the directory cannot be created or read
     */
    public static UnixSocketFile prepare(Path path, Set<PosixFilePermission> fileMode) {
        String where = format(path);
        try {
            Path dir = path.getParent();
            if (dir != null && !Files.exists(dir)) {
                createDirectories(dir, group(fileMode) ? GROUP_DIRECTORY_MODE : DIRECTORY_MODE);
            } else if (dir != null && !Files.isDirectory(dir)) {
                throw new ListenFailedException(
                        "cannot listen on " + where + ": " + dir + " is not a directory", false, null);
            }
            clearStale(path, where);
        } catch (IOException e) {
            throw new ListenFailedException("cannot listen on " + where + ": " + e, false, e);
        }
        return new UnixSocketFile(path);
    }

    private static boolean group(Set<PosixFilePermission> fileMode) {
        return fileMode.contains(PosixFilePermission.GROUP_READ) || fileMode.contains(PosixFilePermission.GROUP_WRITE);
    }

    /** Creates {@code dir} and its missing parents, each with {@code mode} exactly. */
    private static void createDirectories(Path dir, Set<PosixFilePermission> mode) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) missing.push(d);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(mode));
        for (Path d : missing) Files.setPosixFilePermissions(d, mode);
    }

    private static void clearStale(Path path, String where) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return;
        }
        if ((mode & TYPE_MASK) != SOCKET_TYPE) {
            throw new ListenFailedException(
                    "refusing to listen on " + where + ": the path exists and is not a socket (remove it or choose"
                            + " another path)",
                    false,
                    null);
        }
        Object probed = fileKey(path);
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException refused) {
            // Nobody accepts on it: the socket of a process that died. Only the socket file probed is removed: if
            // another node replaced it meanwhile (same path, started at the same moment), its bind wins and ours
            // fails as in use.
            if (probed != null && probed.equals(fileKey(path)) && Files.deleteIfExists(path)) {
                LOG.log(Level.INFO, () -> "removed the stale socket file " + path + " (no process listens on it)");
            }
            return;
        }
        throw new ListenFailedException(where + " already in use: another process listens on it", true, null);
    }

    /** The file's identity (device and inode), or null if it is gone. */
    private static Object fileKey(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /**
     * The socket is bound: gives the file {@code mode} and remembers which file it is.
     *
     * @throws ListenFailedException if the permissions cannot be set
     */
    public void bound(Set<PosixFilePermission> mode) {
        try {
            Files.setPosixFilePermissions(path, mode);
            fileKey = fileKey(path);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ListenFailedException(
                    "cannot set the permissions of " + format(path) + " to " + PosixFilePermissions.toString(mode)
                            + ": " + e,
                    false,
                    e);
        }
    }

    /** Removes the socket file unless another file has taken its place since it was bound. */
    public void remove() {
        try {
            if (fileKey != null && fileKey.equals(fileKey(path))) Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "cannot remove the socket file " + path + ": " + e);
        }
    }

    public Path path() {
        return path;
    }
}
