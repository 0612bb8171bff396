package dev.tether.bus;

import dev.tether.TetherException;

/**
 * The addressed endpoint does not exist: thrown at once by a send to an endpoint of this node that is not
 * registered (nothing was sent). A message to an endpoint of another node that has none of that name is settled by
 * that node without processing: the sender's {@code processed()} completes with {@code Outcome.NO_SUCH_ENDPOINT}.
 */
public class NoSuchEndpointException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The address nobody has. */
    private final transient Address address;

    public NoSuchEndpointException(Address address) {
        super("node " + address.node() + " has no endpoint '" + address.agent() + "' (not registered, or closed)");
        this.address = address;
    }

    /** The address nobody has. */
    public Address address() {
        return address;
    }
}
