package dev.tether.transport.tcp;

import dev.tether.TetherException;

/**
 * Thrown by {@link TcpTransport#start} when its listen address is taken by another socket, with a message
 * such as {@code address 127.0.0.1:7001 already in use}. The transport is closed; nothing was started.
 */
public class AddressInUseException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception naming the taken address in {@code message}, with the socket's {@code cause}. */
    public AddressInUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
