package dev.tether.cli;

import dev.tether.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tether renew-epoch}: makes a restored store a new incarnation so peers resynchronise with it. */
@Command(
        name = "renew-epoch",
        mixinStandardHelpOptions = true,
        description = {
            "Gives a stopped node's store a new epoch. Run it after restoring a store from a backup: peers then"
                    + " treat the node as a new incarnation and resynchronise, instead of taking its reused"
                    + " sequence numbers for duplicates (see docs/OPERATIONS.md)."
        })
final class RenewEpochCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "FILE", description = "The store file.")
    Path store;

    @Override
    public Integer call() {
        NativeSqlite.prepare();
        long epoch = SqliteStore.renewEpoch(store);
        spec.commandLine().getOut().println("store " + store + " now has epoch " + epoch);
        return 0;
    }
}
