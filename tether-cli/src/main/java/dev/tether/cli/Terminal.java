package dev.tether.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a standard stream of this process is a terminal (Linux: where {@code /proc/self/fd/N} points). */
final class Terminal {
    private Terminal() {}

    /** Whether file descriptor {@code fd} (1 stdout, 2 stderr) is a terminal; false where that cannot be told. */
    static boolean isTerminal(int fd) {
        try {
            String target =
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
