package dev.tether.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** An IPv4 address of this machine other than loopback, for tests of what the admin endpoint allows from elsewhere. */
final class NonLoopback {
    private NonLoopback() {}

    /**
     * The first such address of an interface that is up.
     *
     * @throws AssertionError if the machine has none (such a test cannot run there and must not pass silently)
     */
    static InetAddress address() throws SocketException {
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!i.isUp() || i.isLoopback()) continue;
            for (InetAddress a : Collections.list(i.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a;
            }
        }
        throw new AssertionError("this machine has no IPv4 address other than loopback: the test needs one");
    }
}
