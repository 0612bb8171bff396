package dev.tether.cli;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code --peer} value: {@code ID} (found through NATS) or {@code ID=HOST:PORT} (dialled over TCP). */
record PeerSpec(NodeId id, InetSocketAddress address) {
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
            return new PeerSpec(node, eq < 0 ? null : HostPort.parse(value.substring(eq + 1)));
        }
    }
}
