package dev.tether.transport.tcp.internal;

import dev.tether.TetherException;

/**
 * The endpoint could not bind its listen address. The public transport turns it into its own exception types,
 * so this package does not depend on the public one.
 */
public final class ListenFailedException extends TetherException {
    private static final long serialVersionUID = 1L;

    private final boolean addressInUse;

    ListenFailedException(String message, boolean addressInUse, Throwable cause) {
        super(message, cause);
        this.addressInUse = addressInUse;
    }

    /** Whether another socket holds the address. */
    public boolean addressInUse() {
        return addressInUse;
    }
}
