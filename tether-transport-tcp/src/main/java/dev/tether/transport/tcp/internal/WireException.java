package dev.tether.transport.tcp.internal;

/** A protocol violation by the remote end; the message is the reason reported and sent to it. */
final class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WireException(String message) {
        super(message, null, false, false);
    }
}
