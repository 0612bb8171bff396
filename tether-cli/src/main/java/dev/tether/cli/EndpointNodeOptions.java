package dev.tether.cli;

import dev.tether.InvalidIdException;
import dev.tether.bus.Address;
import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.TetherConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The endpoints a daemon comes up with ({@code --endpoint}, docs/MESSAGING.md, "Endpoints"): each is a configured
 * endpoint ({@code TetherConfig.Builder.endpoint}) whose messages the daemon handles as it handles every delivery
 * (printed with {@code --print}, else acknowledged). An invalid or reserved name is a usage error naming it (exit code
 * 2); the node does not start.
 */
final class EndpointNodeOptions {
    @Option(
            names = "--endpoint",
            paramLabel = "NAME",
            split = ",",
            converter = AgentName.class,
            description = "Come up with endpoint NAME (address ID/NAME, 1-32 characters of [A-Za-z0-9_-]): its"
                    + " messages are handled like the node's own (printed with --print). Repeat or separate with"
                    + " commas.")
    List<String> endpoints = new ArrayList<>();

    /** Declares the endpoints given in {@code b}, each handled by {@code handler}. */
    void apply(TetherConfig.Builder b, EndpointHandler handler) {
        for (String e : endpoints) b.endpoint(e, EndpointOptions.defaults(), handler);
    }

    /** An agent name, checked when parsed. */
    static final class AgentName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Address.requireAgentName(value);
            } catch (InvalidIdException | IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
