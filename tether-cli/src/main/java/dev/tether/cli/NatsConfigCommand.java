package dev.tether.cli;

import dev.tether.InvalidConfigException;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.transport.nats.NatsAuthorization;
import dev.tether.transport.nats.NatsAuthorization.NodeUser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether nats-config}: the NATS server authorization under which no node can send as another. Prints the
 * {@code authorization} block (one nkey user per node, publishing only under its own id) and keeps each node's
 * seed in {@code DIR/<id>.nk}: created readable by its owner only, or reused if it exists, so running the command
 * again with one more node keeps the other keys.
 */
@Command(
        name = "nats-config",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the nats-server authorization block under which each node may publish only under its own id,",
            "and writes each node's nkey seed to DIR/ID.nk (owner-only; an existing file is reused).",
            "Start each node with --nats-nkey DIR/ID.nk --nats-identity-enforced (docs/NATS.md, Deployment)."
        })
final class NatsConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nats-prefix", paramLabel = "PREFIX", description = "Subject prefix (default: tether).")
    String prefix = "tether";

    @Option(
            names = "--keys-dir",
            required = true,
            paramLabel = "DIR",
            description = "Directory of the nodes' seed files ID.nk (created if missing).")
    Path keysDir;

    @Parameters(
            arity = "1..*",
            paramLabel = "ID",
            split = ",",
            description = "The node ids (repeat or comma-separate).")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() {
        Set<NodeId> nodes = nodeIds();
        try {
            NatsAuthorization.publishSubjects(prefix, nodes.iterator().next());
        } catch (IllegalArgumentException | dev.tether.InvalidConfigException e) {
            throw new ParameterException(spec.commandLine(), "--nats-prefix: " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        createDirectory();
        List<NodeUser> users = new ArrayList<>();
        for (NodeId node : nodes) {
            Path seed = keysDir.resolve(node.value() + ".nk");
            boolean reused = Files.exists(seed);
            try {
                users.add(
                        reused
                                ? NatsAuthorization.readSeedFile(node, seed)
                                : NatsAuthorization.createSeedFile(node, seed));
            } catch (InvalidConfigException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            err.println((reused ? "kept " : "wrote ") + seed + " (node " + node + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(header(nodes));
        out.print(NatsAuthorization.authorizationBlock(prefix, users));
        out.flush();
        return 0;
    }

    private Set<NodeId> nodeIds() {
        Set<NodeId> nodes = new LinkedHashSet<>();
        for (String id : ids) {
            try {
                if (!nodes.add(NodeId.of(id))) {
                    throw new ParameterException(spec.commandLine(), "node " + id + " is listed twice");
                }
            } catch (InvalidIdException e) {
                throw new ParameterException(spec.commandLine(), "ID: " + e.getMessage());
            }
        }
        return nodes;
    }

    private void createDirectory() {
        try {
            Files.createDirectories(keysDir);
        } catch (IOException e) {
            throw new ParameterException(
                    spec.commandLine(), "--keys-dir: cannot create " + keysDir + ": " + e.getMessage());
        }
    }

    private String header(Set<NodeId> nodes) {
        List<String> names = nodes.stream().map(NodeId::value).toList();
        return "# nats-server authorization for the Tether nodes " + String.join(", ", names) + " on prefix '"
                + prefix + "' (tether nats-config).\n"
                + "# Each node may publish only under its own id. Start each with\n"
                + "#   tether node --id ID --nats tls://... --nats-prefix " + prefix + " --nats-nkey "
                + keysDir.resolve("ID.nk") + " --nats-identity-enforced\n"
                + "# Give no other user of this server the right to publish on " + prefix + ".> : it could send"
                + " as any node.\n";
    }
}
