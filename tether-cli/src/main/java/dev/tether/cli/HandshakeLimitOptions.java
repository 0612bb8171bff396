package dev.tether.cli;

import dev.tether.transport.tcp.SocketTransportBuilder;
import dev.tether.transport.tcp.TcpTransport;
import picocli.CommandLine.Option;

/**
 * The caps on accepted connections in the handshake of the TCP and Unix domain socket transports (docs/TCP.md,
 * "Frames and limits"), as options of the commands that run a node. Unset options keep the transport's defaults; a
 * value below 1 is a usage error naming the option (exit code 2). The per-address cap is TCP's only: over {@code --uds}
 * every client is on this host.
 */
final class HandshakeLimitOptions {
    @Option(
            names = "--max-pending-handshakes",
            paramLabel = "N",
            description = "Accepted TCP or UDS connections that may be in the handshake at once; more are closed at"
                    + " once and counted as rejected (default 256).")
    Integer maxPendingHandshakes;

    @Option(
            names = "--max-pending-handshakes-per-address",
            paramLabel = "N",
            description = "Of those, how many may come from one IP address (TCP only; default 16).")
    Integer maxPendingHandshakesPerAddress;

    /** Applies the caps to a TCP transport. */
    void apply(NodeOptions o, TcpTransport.Builder b) {
        applyGlobal(o, b);
        if (maxPendingHandshakesPerAddress != null) {
            b.maxPendingHandshakesPerAddress(
                    atLeastOne(o, "--max-pending-handshakes-per-address", maxPendingHandshakesPerAddress));
        }
    }

    /** Applies the global cap to a transport without per-address caps (UDS). */
    void applyGlobal(NodeOptions o, SocketTransportBuilder<?> b) {
        if (maxPendingHandshakes != null) {
            b.maxPendingHandshakes(atLeastOne(o, "--max-pending-handshakes", maxPendingHandshakes));
        }
    }

    /** With a node that runs no TCP transport: the per-address cap is a mistake, said so rather than ignored. */
    void refusePerAddress(NodeOptions o, String why) {
        if (maxPendingHandshakesPerAddress != null) {
            throw o.invalid("--max-pending-handshakes-per-address is for TCP; " + why);
        }
    }

    private static int atLeastOne(NodeOptions o, String option, int value) {
        if (value < 1) throw o.invalid(option + " must be at least 1, was " + value);
        return value;
    }
}
