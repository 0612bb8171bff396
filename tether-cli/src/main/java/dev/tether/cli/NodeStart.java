package dev.tether.cli;

import dev.tether.InvalidConfigException;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ParameterException;

/**
 * How the commands that run a node ({@code node}, {@code chat}, {@code demo-sender}) configure and start it, so that
 * they share the options they accept and what a failed start leaves behind: nothing (a store file this start created
 * is removed again, with its lock, WAL and index files, so a retry starts clean).
 */
final class NodeStart {
    private NodeStart() {}

    /**
     * A configuration builder with the options every node command shares applied; the caller adds its handler. An
     * option the builder refuses is a usage error naming what is wrong (exit code 2), as in {@link #build}.
     */
    static TetherConfig.Builder builder(NodeOptions options, TransportFactory.Choice transport, SqliteStore store) {
        try {
            TetherConfig.Builder b = TetherConfig.builder(options.nodeId())
                    .peers(options.peerIds())
                    .transport(transport.transport())
                    .store(store)
                    .durability(options.durability);
            options.applySettings(b, transport);
            return b;
        } catch (InvalidConfigException e) {
            throw usage(options, e);
        }
    }

    /** Builds the configuration; an invalid one is a usage error naming what is wrong (exit code 2). */
    static TetherConfig build(NodeOptions options, TetherConfig.Builder b) {
        try {
            return b.build();
        } catch (InvalidConfigException e) {
            throw usage(options, e);
        }
    }

    private static ParameterException usage(NodeOptions options, InvalidConfigException e) {
        return new ParameterException(options.spec.commandLine(), e.getMessage(), e);
    }

    /** Starts the node; if that fails, removes the store files this start created, then rethrows. */
    static TetherNode start(TetherConfig config, SqliteStore store) {
        try {
            return Tether.start(config);
        } catch (RuntimeException e) {
            if (store.createdFile()) {
                Path f = store.file();
                for (Path p : List.of(f, Path.of(f + "-wal"), Path.of(f + "-shm"), Path.of(f + ".lock"))) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
    }
}
