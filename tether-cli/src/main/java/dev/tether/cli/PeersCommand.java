package dev.tether.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tether peers}: every peer a running node knows, with its state ({@code TetherNode.peers()}). */
@Command(
        name = "peers",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the peers a running node knows: id, why it knows it (CONFIGURED, ADDED, DISCOVERED, ADMITTED,"
                    + " STORED), connected or not, when a frame last came from it, the latest round trip,"
                    + " messages it has not acknowledged yet, and its addresses."
        })
final class PeersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminEndpoint admin;

    @Option(names = "--json", description = "One JSON object: {\"node\":..., \"peers\":[...]}.")
    boolean json;

    @Override
    public Integer call() {
        return AdminQuery.print(
                "peers",
                admin.address,
                "/peers" + (json ? "?format=json" : ""),
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
