package dev.tether.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tether listen}: a node that prints every delivery. */
@Command(
        name = "listen",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a node that prints each delivery on stdout (text, or --json lines) and acknowledges it once"
                    + " the line is flushed: a printed message is never lost, and one whose line may not have"
                    + " been written when the process died is printed again, marked redelivered."
        })
final class ListenCommand implements Callable<Integer>, Main.RunsANode {
    @Mixin
    NodeOptions node;

    @Mixin
    EndpointNodeOptions endpoints;

    @Option(
            names = "--json",
            description = "JSON lines on stdout: one object per delivery, after the ready line"
                    + " {\"ready\":true,\"node\":...}.")
    boolean json;

    @Option(names = "--quiet", description = "Do not log connection events to stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = node.spec.commandLine().getOut();
        return new NodeRunner(
                        node,
                        out,
                        node.spec.commandLine().getErr(),
                        new DeliveryPrinter(out, json),
                        NodeControl.ReadyPeers.NONE,
                        json)
                .endpoints(endpoints)
                .run(Duration.ofSeconds(5));
    }
}
