package dev.tether.bus;

import dev.tether.TetherException;
import java.time.Duration;

/**
 * {@link Bus#awaitEndpoint} gave up: the endpoint's node did not advertise an endpoint of that name within the
 * timeout (it may not have it, or may not have been connected to tell). Nothing was sent to it; waiting again is safe.
 */
public class EndpointNotAdvertisedException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** The address that was waited for. */
    private final transient Address address;

    /** An exception saying that {@code address}'s node did not advertise it within {@code timeout}. */
    public EndpointNotAdvertisedException(Address address, Duration timeout, String advertised) {
        super("node " + address.node() + " did not advertise endpoint '" + address.agent() + "' within " + timeout
                + " (" + advertised + ")");
        this.address = address;
    }

    /** The address that was waited for. */
    public Address address() {
        return address;
    }
}
