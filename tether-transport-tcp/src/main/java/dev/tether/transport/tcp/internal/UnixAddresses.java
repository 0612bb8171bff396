package dev.tether.transport.tcp.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Unix domain socket addresses as text: {@code unix:} followed by the socket file's absolute path ({@code
 * unix:/run/tether/b.sock}), the form peers are configured with and member lists carry. Member lists may hold both
 * kinds; each transport dials only its own.
 */
public final class UnixAddresses {
    /** The prefix that marks a Unix domain socket address. */
    public static final String PREFIX = "unix:";

    private UnixAddresses() {}

    /** Whether {@code address} is meant as a Unix domain socket address (it starts with {@code unix:}). */
    public static boolean isUnix(String address) {
        return address != null && address.startsWith(PREFIX);
    }

    /**
     * Parses {@code unix:/absolute/path}.
     *
     * @throws IllegalArgumentException naming the address if it is not one, its path is relative, or too long for
     *     the platform
     */
    public static UnixDomainSocketAddress parse(String address) {
        if (!isUnix(address)) throw bad(address, "expected unix:/absolute/path");
        String raw = address.substring(PREFIX.length());
        Path path;
        try {
            path = Path.of(raw);
        } catch (InvalidPathException e) {
            throw bad(address, e.getMessage());
        }
        if (!path.isAbsolute()) throw bad(address, "the path must be absolute");
        try {
            return UnixDomainSocketAddress.of(UnixSocketFile.check(path));
        } catch (IllegalArgumentException e) {
            throw bad(address, e.getMessage());
        }
    }

    /** {@code address} as text: {@code unix:/path}, or {@code ip:port} for a TCP address. */
    public static String format(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) return PREFIX + unix.getPath();
        return TcpAddresses.format((InetSocketAddress) address);
    }

    /**
     * The canonical text of an address from a member list, of either kind: an IP literal and port (no name lookup)
     * or a Unix domain socket path.
     *
     * @throws IllegalArgumentException naming the address if it is neither
     */
    public static String canonicalLiteral(String address) {
        return isUnix(address) ? format(parse(address)) : TcpAddresses.format(TcpAddresses.parseLiteral(address));
    }

    private static IllegalArgumentException bad(String address, String why) {
        String shown = address == null ? "null" : address.length() > 200 ? address.substring(0, 200) + "..." : address;
        return new IllegalArgumentException("invalid Unix domain socket address '" + shown + "': " + why);
    }
}
