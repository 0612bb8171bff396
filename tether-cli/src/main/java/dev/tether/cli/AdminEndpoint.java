package dev.tether.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code --admin HOST:PORT} option of the commands that talk to a running node's admin endpoint. */
final class AdminEndpoint {
    @Option(
            names = "--admin",
            required = true,
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "The node's admin endpoint (the admin= address of its ready line).")
    InetSocketAddress address;

    /** A usage error of {@code spec}'s command. */
    ParameterException invalid(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
