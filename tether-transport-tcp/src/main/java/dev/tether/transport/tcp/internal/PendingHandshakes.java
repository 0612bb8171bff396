package dev.tether.transport.tcp.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The caps on accepted connections that have not completed the handshake (docs/TCP.md, "Limits"): before a
 * connection proves anything it costs a descriptor and, with TLS, a key exchange and a signature, so at most {@link
 * #cap} such connections are kept, and at most {@code perAddressCap} of them from one IP address, so that one address
 * cannot take every slot and lock the other peers out. A connection beyond either cap is closed at once and reported.
 * Connections this node dials are not counted, nor, in the per-address count, connections without an IP address
 * (Unix domain sockets: every client is on this host, so only the global cap applies). I/O thread only.
 */
public final class PendingHandshakes {
    private final int cap;
    private final int perAddressCap;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int pending;

    /** Caps of {@code cap} in all and {@code perAddressCap} per remote IP address. */
    public PendingHandshakes(int cap, int perAddressCap) {
        this.cap = cap;
        this.perAddressCap = perAddressCap;
    }

    /**
     * Counts an accepted connection from {@code remote} starting its handshake.
     *
     * @return null if it is counted; else why it is not (a cap is reached), for the rejection report
     */
    String tryStart(SocketAddress remote) {
        if (pending >= cap) {
            return "more than " + cap + " accepted connections in the handshake (maxPendingHandshakes); closed at once";
        }
        InetAddress address = ipOf(remote);
        if (address != null) {
            int fromAddress = perAddress.getOrDefault(address, 0);
            if (fromAddress >= perAddressCap) {
                return "more than " + perAddressCap + " accepted connections from " + address.getHostAddress()
                        + " in the handshake (maxPendingHandshakesPerAddress); closed at once";
            }
            perAddress.put(address, fromAddress + 1);
        }
        pending++;
        return null;
    }

    /** A connection from {@code remote} counted by {@link #tryStart} completed its handshake or closed. */
    void end(SocketAddress remote) {
        pending--;
        InetAddress address = ipOf(remote);
        if (address != null) perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }

    /** The remote IP address of a TCP connection; null for another kind (a Unix domain socket). */
    private static InetAddress ipOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
