package dev.tether.transport.tcp.internal;

/**
 * The cap on accepted connections that have not completed the handshake (docs/TCP.md, "Limits"): before a
 * connection proves anything it costs a descriptor and, with TLS, a key exchange and a signature on the I/O thread that
 * also runs the node, so at most {@link #cap} such connections are kept; one beyond them is closed at once and
 * reported. Connections this node dials are not counted. I/O thread only.
 */
public final class PendingHandshakes {
    private final int cap;
    private int pending;

    public PendingHandshakes(int cap) {
        this.cap = cap;
    }

    /** Counts an accepted connection starting its handshake; false (not counted) if {@link #cap} are pending. */
    boolean tryStart() {
        if (pending >= cap) return false;
        pending++;
        return true;
    }

    /** A counted connection completed its handshake or closed. */
    void end() {
        pending--;
    }

    int cap() {
        return cap;
    }
}
