package dev.tether.cli;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --peer} value: {@code ID} (found through NATS), {@code ID=HOST:PORT} (dialled over TCP) or {@code
 * ID=unix:/PATH} (dialled over the Unix domain socket file PATH, with {@code --uds}); at most one of {@code address}
 * and {@code socket} is set.
 */
record PeerSpec(NodeId id, InetSocketAddress address, Path socket) {
    private static final String UNIX = "unix:";

    static final class Converter implements ITypeConverter<PeerSpec> {
        @Override
        public PeerSpec convert(String value) {
            int eq = value.indexOf('=');
            String id = eq < 0 ? value : value.substring(0, eq);
            NodeId node;
            try {
                node = NodeId.of(id);
            } catch (InvalidIdException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
            if (eq < 0) return new PeerSpec(node, null, null);
            String where = value.substring(eq + 1);
            if (!where.startsWith(UNIX)) {
                InetSocketAddress address = HostPort.parse(where);
                if (address.getPort() == 0) {
                    throw new TypeConversionException(
                            "'" + value + "': a peer's port must be in 1..65535 (0 is no port" + " a node listens on)");
                }
                return new PeerSpec(node, address, null);
            }
            return new PeerSpec(node, null, socket(value, where.substring(UNIX.length())));
        }

        private static Path socket(String value, String path) {
            try {
                Path p = Path.of(path);
                if (p.isAbsolute()) return p;
            } catch (InvalidPathException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
            throw new TypeConversionException("'" + value + "': expected ID=unix:/absolute/path");
        }
    }
}
