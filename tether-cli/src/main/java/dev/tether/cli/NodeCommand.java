package dev.tether.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tether node}: the node daemon. */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a node until SIGTERM/SIGINT, then drains for --drain-timeout and keeps the rest stored.",
            "Deliveries are acknowledged silently unless --print is given (see also: tether listen).",
            "Connection events and failures are logged to stderr."
        })
final class NodeCommand implements Callable<Integer>, Main.RunsANode {
    @Mixin
    NodeOptions node;

    @Mixin
    EndpointNodeOptions endpoints;

    @Option(names = "--print", description = "Print each delivery on stdout, like tether listen.")
    boolean print;

    @Option(
            names = "--json",
            description = "JSON lines on stdout: the ready line {\"ready\":true,\"node\":...} and, with --print, one"
                    + " object per delivery.")
    boolean json;

    @Option(names = "--quiet", description = "Do not log connection events to stderr (same as --log-level warn).")
    boolean quiet;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            description = "error, warn, info (default) or debug; reloaded from --config on SIGHUP unless given here.")
    String logLevel;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            description = "text (default) or json: one JSON object per line, a node event's fields as fields.")
    CliLog.LogFormat logFormat = CliLog.LogFormat.TEXT;

    @Option(
            names = "--ready-peers",
            paramLabel = "WHICH",
            description = "Which configured peers must be connected for GET /health/ready to answer 200: none"
                    + " (default), any or all.")
    NodeControl.ReadyPeers readyPeers = NodeControl.ReadyPeers.NONE;

    @Option(
            names = "--drain-timeout",
            paramLabel = "SECONDS",
            description = "How long shutdown waits for in-flight messages (default 5).")
    int drainSeconds = 5;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = node.spec.commandLine().getOut();
        DeliveryPrinter printer = print ? new DeliveryPrinter(out, json) : null;
        CliLog.LogLevel level;
        try {
            level = logLevel != null
                    ? CliLog.LogLevel.parse(logLevel)
                    : quiet ? CliLog.LogLevel.WARN : CliLog.LogLevel.INFO;
        } catch (IllegalArgumentException e) {
            throw node.invalid("--log-level: " + e.getMessage());
        }
        if (drainSeconds < 0) throw node.invalid("--drain-timeout must be 0 or more seconds, was " + drainSeconds);
        CliLog.configure(level, logFormat);
        return new NodeRunner(node, out, node.spec.commandLine().getErr(), printer, readyPeers, json)
                .endpoints(endpoints)
                .run(Duration.ofSeconds(drainSeconds));
    }
}
