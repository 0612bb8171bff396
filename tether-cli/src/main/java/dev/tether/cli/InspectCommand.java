package dev.tether.cli;

import dev.tether.store.sqlite.StoreInspector;
import dev.tether.store.sqlite.StoreReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tether inspect}: what a store file holds, read-only, also while its node runs. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Prints what a SQLite store holds: schema version, epoch, messages pending per peer and lane,"
                    + " inbound cursors, dead letters. Read-only; safe while the node is running."
        })
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "FILE", description = "The store file.")
    Path store;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Option(
            names = "--dead-letters",
            paramLabel = "N",
            description = "How many dead letters to list (default " + StoreInspector.DEFAULT_DEAD_LETTERS_SHOWN + ").")
    int deadLetters = StoreInspector.DEFAULT_DEAD_LETTERS_SHOWN;

    @Override
    public Integer call() {
        if (deadLetters < 0) {
            throw new ParameterException(spec.commandLine(), "--dead-letters must be 0 or more, was " + deadLetters);
        }
        NativeSqlite.prepare();
        StoreReport report = StoreInspector.inspect(store, deadLetters, Duration.ofSeconds(5));
        spec.commandLine().getOut().println(json ? report.toJson() : report.toText());
        return 0;
    }
}
