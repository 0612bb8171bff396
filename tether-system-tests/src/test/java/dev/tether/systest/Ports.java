package dev.tether.systest;

import dev.tether.fixtures.FreePorts;

/** Free loopback ports for processes that must be told their port before they start. */
final class Ports {
    private Ports() {}

    /** A loopback port free at the time of the call, below the ephemeral range: see {@link FreePorts#loopback()}. */
    static int free() {
        return FreePorts.loopback();
    }
}
