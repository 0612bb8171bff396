package dev.tether.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tether stats}: a running node's counters, per node and per stream. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Prints a running node's statistics.")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminEndpoint admin;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    public Integer call() {
        return AdminQuery.print(
                "stats",
                admin.address,
                "/stats" + (json ? "?format=json" : ""),
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
