package dev.tether.transport.tcp.internal;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * TCP addresses as text: {@code host:port}, with IPv6 literals in brackets ({@code [::1]:7001}). Member lists
 * carry IP literals only, parsed without any name lookup; addresses given by the application may also name a
 * host, kept unresolved like the peers configured at start: the dial resolves it each time, so a peer whose
 * address changes in DNS is still reached.
 */
public final class TcpAddresses {
    private TcpAddresses() {}

    /** {@code address} as {@code ip:port} or {@code [ipv6]:port}. */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) return address.getHostString() + ":" + address.getPort();
        String host = NetUtil.toAddressString(ip);
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Parses an {@code ip:port} literal without looking up names.
     *
     * @throws IllegalArgumentException naming the address if it is not one
     */
    public static InetSocketAddress parseLiteral(String address) {
        Parts p = split(address);
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(p.host);
        if (ip == null) throw bad(address, "'" + p.host + "' is not an IP address");
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), p.port);
        } catch (UnknownHostException e) {
            throw bad(address, e.getMessage());
        }
    }

    /**
     * Parses {@code host:port} without looking up names: an IP literal is an address, a host name is kept
     * unresolved (resolved at each dial).
     *
     * @throws IllegalArgumentException naming the address if it does not parse
     */
    public static InetSocketAddress parse(String address) {
        Parts p = split(address);
        if (NetUtil.createByteArrayFromIpAddressString(p.host) != null) return parseLiteral(address);
        if (p.host.length() > 253 || !p.host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw bad(address, "'" + p.host + "' is neither an IP address nor a host name");
        }
        return InetSocketAddress.createUnresolved(p.host, p.port);
    }

    private record Parts(String host, int port) {}

    private static Parts split(String address) {
        if (address == null) throw new IllegalArgumentException("address must not be null");
        String host;
        String port;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
                throw bad(address, "expected [ipv6]:port");
            }
            host = address.substring(1, close);
            port = address.substring(close + 2);
        } else {
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || address.indexOf(':') != colon) throw bad(address, "expected host:port");
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(address, "port '" + port + "' is not a number");
        }
        int n = Integer.parseInt(port);
        if (n < 1 || n > 65_535) throw bad(address, "port " + n + " is outside 1..65535");
        return new Parts(host, n);
    }

    private static IllegalArgumentException bad(String address, String why) {
        String shown = address.length() > 80 ? address.substring(0, 80) + "..." : address;
        return new IllegalArgumentException("invalid TCP address '" + shown + "': " + why);
    }
}
