package dev.tether.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tether simulate}: the in-process demo through an injected faulty network. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = {
            "Several in-process nodes exchange messages all-to-all through a network that drops, duplicates and"
                    + " reorders frames, while nodes crash and restart from their (in-memory) stores; prints"
                    + " sent / delivered / lost / duplicated / out-of-order counts and a verdict."
        })
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--nodes", paramLabel = "N", description = "2-16 (default 4).")
    int nodes = 4;

    @Option(names = "--messages", paramLabel = "M", description = "Messages per stream (default 2000).")
    int messages = 2000;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the faults (default: time).")
    long seed = System.nanoTime();

    @Option(names = "--drop", paramLabel = "P", description = "Frame drop probability, 0-0.5 (default 0.05).")
    double drop = 0.05;

    @Option(names = "--duplicate", paramLabel = "P", description = "Duplication probability (default 0.05).")
    double duplicate = 0.05;

    @Option(names = "--reorder", paramLabel = "P", description = "Reorder probability (default 0.1).")
    double reorder = 0.1;

    @Option(names = "--crashes", paramLabel = "C", description = "Node crashes during the run (default 2).")
    int crashes = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DemoOptions options;
        try {
            options = new DemoOptions(nodes, messages, seed, drop, duplicate, reorder, crashes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return Demo.run(options, spec.commandLine().getOut());
    }
}
