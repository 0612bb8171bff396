package dev.tether.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code host:port} and {@code [v6-address]:port}, naming what is wrong with a bad one. */
final class HostPort implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    static InetSocketAddress parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new TypeConversionException("'" + value + "' is not HOST:PORT (for example 127.0.0.1:7001)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "': port is not a number");
        }
        if (port < 0 || port > 65535) throw new TypeConversionException("'" + value + "': port must be in 0..65535");
        if (host.isEmpty()) throw new TypeConversionException("'" + value + "': host is empty");
        // Unresolved on purpose: resolution errors belong to the transport, which reports them per attempt.
        return InetSocketAddress.createUnresolved(host, port);
    }

    static String format(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
